"""Notifications, profile and password over the API and the pages, on both stores."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from alur.bootstrap import DEMO_PASSWORD, Services
from tests.conftest import Api
from tests.notify.helpers import start_complaint


def _login_page(client: FlaskClient, username: str, password: str = DEMO_PASSWORD) -> None:
    page = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    response = client.post("/masuk", data={"username": username, "password": password,
                                           "csrf_token": token.group(1)})
    assert response.status_code == 302


def _csrf(client: FlaskClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(True))
    assert found
    return found.group(1)


def test_the_api_lists_counts_and_marks_notifications_read(api: Api,
                                                           services: Services) -> None:
    start_complaint(services)
    services.projections.catch_up()
    listed = api.get("/notifications?unread=true", "admin")
    assert listed.status_code == 200 and int(listed.headers["X-Total-Count"]) >= 1
    first = listed.get_json()[0]
    assert first["kind"] == "task_activated" and first["link"].startswith("/kasus/")
    count = api.get("/notifications/unread-count", "admin").get_json()["unread"]
    marked = api.post("/notifications/read", "admin", json={"ids": [first["id"]]})
    assert marked.status_code == 200
    after = marked.get_json()["position"]
    assert api.get(f"/notifications?after={after}", "admin").get_json()[0]["read_at"]
    assert api.get("/notifications/unread-count", "admin").get_json()["unread"] == count - 1
    assert api.post("/notifications/read", "sekretaris",
                    json={"ids": [first["id"]]}).status_code == 404  # not theirs
    assert api.post("/notifications/read", "admin", json={"idz": []}).status_code == 422
    everything = api.post("/notifications/read", "admin", json={"all": True}).get_json()
    api.get(f"/notifications?after={everything['position']}", "admin")
    assert api.get("/notifications/unread-count", "admin").get_json()["unread"] == 0


def test_the_profile_is_read_and_changed_with_checked_fields(api: Api) -> None:
    assert api.get("/me", "admin").get_json()["email"] == ""
    bad = api.client.put("/api/v1/me", headers=api.login("admin"), json={
        "full_name": "Admin", "nip": "123", "email": "bukan-email", "whatsapp": "abc"})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"nip", "email", "whatsapp"}
    good = api.client.put("/api/v1/me", headers=api.login("admin"), json={
        "full_name": "Rina Admin", "nip": "198001012005012001", "jabatan": "Pengelola Surat",
        "email": "rina@kpu-bontang.example", "whatsapp": "0812 3456 7890"})
    assert good.status_code == 200, good.get_json()
    assert api.get("/me", "admin").get_json()["jabatan"] == "Pengelola Surat"


def test_a_password_change_needs_the_current_one_and_ends_old_tokens(api: Api) -> None:
    wrong = api.post("/me/password", "admin", json={"current_password": "salah",
                                                    "new_password": "kata-sandi-baru-1"})
    assert wrong.status_code == 401
    short = api.post("/me/password", "admin", json={"current_password": DEMO_PASSWORD,
                                                    "new_password": "pendek"})
    assert short.status_code == 422
    changed = api.post("/me/password", "admin", json={"current_password": DEMO_PASSWORD,
                                                      "new_password": "kata-sandi-baru-1"})
    assert changed.status_code == 204
    assert api.get("/me", "admin").status_code == 401  # the old token ended
    api.tokens.clear()
    assert api.client.post("/api/v1/auth/token", json={
        "username": "admin", "password": "kata-sandi-baru-1"}).status_code == 200


def test_only_administrators_see_the_failure_list(api: Api) -> None:
    assert api.get("/notifications/deliveries", "admin").status_code == 403
    assert api.get("/notifications/deliveries", "administrator").status_code == 200


def test_the_bell_counts_unread_and_the_page_marks_them_read(client: FlaskClient,
                                                             services: Services) -> None:
    start_complaint(services)
    services.projections.catch_up()
    _login_page(client, "admin")
    page = client.get("/notifikasi").get_data(as_text=True)
    unread = int(re.search(r'data-unread="(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert unread >= 1 and "Langkah baru" in page
    response = client.post("/notifikasi/baca", data={"semua": "1",
                                                     "csrf_token": _csrf(client, "/notifikasi")})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "data-unread" not in page and "belum-dibaca" not in page
    assert client.post("/notifikasi/baca", data={"semua": "1"}).status_code == 400  # no CSRF


def test_the_profile_page_saves_and_changes_the_password(client: FlaskClient) -> None:
    _login_page(client, "admin")
    token = _csrf(client, "/profil")
    bad = client.post("/profil", data={"full_name": "Rina", "email": "x", "csrf_token": token})
    assert bad.status_code == 422 and "Alamat email tidak sah." in bad.get_data(as_text=True)
    saved = client.post("/profil", data={"full_name": "Rina", "email": "rina@kpu.example",
                                         "whatsapp": "081234567890", "csrf_token": token})
    assert saved.status_code == 302
    assert 'value="rina@kpu.example"' in client.get("/profil").get_data(as_text=True)
    wrong = client.post("/profil/sandi", data={
        "current_password": "salah", "new_password": "kata-sandi-baru-1",
        "ulangi": "kata-sandi-baru-1", "csrf_token": token})
    assert wrong.status_code == 422 and "Kata sandi sekarang salah." in wrong.get_data(True)
    changed = client.post("/profil/sandi", data={
        "current_password": DEMO_PASSWORD, "new_password": "kata-sandi-baru-1",
        "ulangi": "kata-sandi-baru-1", "csrf_token": token})
    assert changed.status_code == 302
    assert client.get("/profil").status_code == 200  # this session goes on


def test_the_failure_page_is_for_administrators(client: FlaskClient) -> None:
    _login_page(client, "admin")
    assert client.get("/notifikasi/pengiriman").status_code == 403
    client.post("/keluar", data={"csrf_token": _csrf(client, "/notifikasi")})
    _login_page(client, "administrator")
    page = client.get("/notifikasi/pengiriman")
    assert page.status_code == 200 and "Pengiriman notifikasi" in page.get_data(as_text=True)
