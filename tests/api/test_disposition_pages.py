"""The page forms of dispositions and comments, on both stores: a holder of the lane disposes
a free step to a named holder from the task page (its select lists exactly the active users
who may hold it); bad input is an Indonesian 422 page and appends nothing."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.api.test_dispositions import letter_at_row_4, open_task, user
from tests.api.test_page_login import csrf_token, log_in
from tests.conftest import Api


def test_the_task_page_disposes_to_a_holder_and_refuses_bad_input(
        api: Api, client: FlaskClient) -> None:
    user(api, "kasubbag_andi", ["kasubbag"])
    case_id = letter_at_row_4(api)
    task = open_task(api, case_id)
    page = f"/kasus/{case_id}/tugas/{task['id']}"
    log_in(client, "ketua")
    html = client.get(page).get_data(as_text=True)
    (offered,) = re.findall(r'<select[^>]*name="kepada".*?</select>', html, re.S)
    assert 'value="sekretaris"' in offered and 'value="ketua"' in offered  # both hold the lane
    assert 'value="kasubbag_andi"' not in offered  # the form's own recipient field may name them
    token = csrf_token(html)
    action = f"{page}/disposisi"
    for form, message in (
            ({"kepada": "", "instruksi": "x"}, "Pilih pejabat atau petugas penerima."),
            ({"kepada": "sekretaris", "instruksi": ""}, "Tulis isi disposisi"),
            ({"kepada": "sekretaris", "instruksi": "x", "batas": "besok"},
             "Tanggal dan jam tidak dikenal."),
            ({"kepada": "sekretaris", "instruksi": "x", "batas": "2020-01-02T08:00"},
             "Batas waktu harus di masa depan."),
            ({"kepada": "kasubbag_andi", "instruksi": "x"},
             "Penerima tidak memegang peran langkah ini.")):
        refused = client.post(action, data={**form, "csrf_token": token})
        assert refused.status_code == 422, form
        assert message in refused.get_data(as_text=True), form
    events = api.get(f"/cases/{case_id}/events", "administrator").get_json()
    assert "TaskAssigned" not in [e["type"] for e in events]

    done = client.post(action, data={"kepada": "sekretaris", "instruksi": "Mohon ditelaah",
                                     "batas": "2099-01-02T08:00", "csrf_token": token})
    assert done.status_code == 302
    shown = api.get(f"/cases/{case_id}/tasks/{task['id']}", "sekretaris").get_json()
    assert (shown["claimed_by"], shown["instruction"]) == ("sekretaris", "Mohon ditelaah")
    assert shown["assignment_due_at"] == "2099-01-02T08:00:00+08:00"
    case_page = client.get(f"/kasus/{case_id}").get_data(as_text=True)
    assert "Mohon ditelaah" in case_page and "didisposisikan kepada" in case_page
    # held by the Sekretaris now: the Ketua is offered no disposition form, and may not post one
    assert "Disposisikan langkah ini" not in client.get(page).get_data(as_text=True)
    assert client.post(action, data={"kepada": "ketua", "instruksi": "x",
                                     "csrf_token": token}).status_code == 409


def test_comment_forms_on_the_case_page(api: Api, client: FlaskClient) -> None:
    case_id = letter_at_row_4(api)
    log_in(client, "petugas_admin_surat")
    token = csrf_token(client.get(f"/kasus/{case_id}").get_data(as_text=True))
    path = f"/kasus/{case_id}/komentar"
    assert client.post(path, data={"teks": "  ", "csrf_token": token}).status_code == 422
    assert client.post(path, data={"teks": "x", "langkah": "bukan-uuid",
                                   "csrf_token": token}).status_code == 422
    assert client.post(path, data={"teks": "x"}).status_code == 400  # no CSRF token
    sent = client.post(path, data={"teks": "Surat asli di map merah", "csrf_token": token})
    assert sent.status_code == 302
    assert "Surat asli di map merah" in client.get(f"/kasus/{case_id}").get_data(as_text=True)
    comments = api.get(f"/cases/{case_id}/comments", "administrator").get_json()
    assert [c["actor"] for c in comments] == ["petugas_admin_surat"]
    inspector = client.application.test_client()
    log_in(inspector, "inspektur")
    replay = inspector.get(f"/audit/kasus/{case_id}").get_data(as_text=True)
    assert "Komentar" in replay and "Surat asli di map merah" in replay  # in the replay
