"""The login page against a hostile user: logout ends the session on the server, and the page
after login is always on this site (no open redirect)."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest
from flask.testing import FlaskClient

from alur.bootstrap import DEMO_PASSWORD

ORIGIN = "http://localhost"
INBOX = "/kotak-masuk"


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def log_in(client: FlaskClient, username: str, lanjut: str | None = None) -> str:
    """Log in through the page; returns the Location it sends the browser to."""
    query = "" if lanjut is None else f"?lanjut={quote(lanjut, safe='')}"
    token = csrf_token(client.get(f"/masuk{query}").get_data(as_text=True))
    form = {"username": username, "password": DEMO_PASSWORD, "csrf_token": token}
    if lanjut is not None:
        form["lanjut"] = lanjut
    response = client.post("/masuk", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def test_a_session_cookie_copied_before_logout_is_refused_after_it(client: FlaskClient) -> None:
    log_in(client, "sekretaris")
    assert client.get(INBOX).status_code == 200
    stolen = client.get_cookie("alur_sesi")
    assert stolen is not None
    token = csrf_token(client.get(INBOX).get_data(as_text=True))
    assert client.post("/keluar", data={"csrf_token": token}).status_code == 302

    thief = client.application.test_client()
    thief.set_cookie("alur_sesi", stolen.value)
    replayed = thief.get(INBOX)
    assert replayed.status_code == 302 and "/masuk" in replayed.headers["Location"]


def test_logout_through_the_page_also_ends_the_users_bearer_tokens(client: FlaskClient) -> None:
    token = client.post("/api/v1/auth/token", json={
        "username": "sekretaris", "password": DEMO_PASSWORD}).get_json()["token"]
    log_in(client, "sekretaris")
    csrf = csrf_token(client.get(INBOX).get_data(as_text=True))
    client.post("/keluar", data={"csrf_token": csrf})
    response = client.get("/api/v1/inbox", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def browser_target(location: str) -> str:
    """Where a browser goes with this Location: it drops tabs and newlines, trims C0 controls
    and spaces, and reads a backslash as a slash (WHATWG URL parsing for http(s))."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08"
                                                       "\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14"
                                                       "\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d"
                                                       "\x1e\x1f ")
    return urljoin(ORIGIN + "/masuk", cleaned.replace("\\", "/"))


HOSTILE = [
    "//evil.example", "///evil.example", "/\t/evil.example", "/\n/evil.example",
    "/\r/evil.example", "/\r\n/evil.example", "\t//evil.example", " //evil.example",
    "\x00//evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
    "/\\/evil.example", "/\\\\evil.example", "https://evil.example/", "http:evil.example",
    "https:/evil.example", "HTTPS://evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    " javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "/\uff0f/evil.example", "\uff0f\uff0fevil.example", "/\u2215/evil.example",
    "/\u2044/evil.example", "/\u29f8/evil.example", "/\u3002/evil.example",
    "/\x7f/evil.example", "/\u00a0/evil.example", "evil.example", "%2F%2Fevil.example",
    "", "?x=1", "#/x",
]


@pytest.mark.parametrize("target", HOSTILE, ids=[repr(t) for t in HOSTILE])
def test_login_never_redirects_off_site(client: FlaskClient, target: str) -> None:
    location = log_in(client, "sekretaris", target)
    assert urlsplit(browser_target(location)).netloc == "localhost", location
    assert location == INBOX, location


@pytest.mark.parametrize("raw", ["%2F%09%2Fevil.example", "%2F%2Fevil.example",
                                 "%2F%5Cevil.example", "%252F%252Fevil.example",
                                 "%2F%0A%2Fevil.example", "%EF%BC%8F%EF%BC%8Fevil.example"])
def test_a_percent_encoded_target_in_the_query_is_refused(client: FlaskClient, raw: str) -> None:
    """The vector of the report, ``/masuk?lanjut=/%09/host``, as a browser sends it."""
    page = client.get(f"/masuk?lanjut={raw}")
    assert page.status_code == 200
    hidden = re.search(r'name="lanjut" value="([^"]*)"', page.get_data(as_text=True))
    assert hidden is None or hidden.group(1) == INBOX
    token = csrf_token(page.get_data(as_text=True))
    response = client.post(f"/masuk?lanjut={raw}", data={
        "username": "sekretaris", "password": DEMO_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == INBOX
    again = client.get(f"/masuk?lanjut={raw}")  # already logged in: the GET redirects too
    assert again.headers["Location"] == INBOX


@pytest.mark.parametrize("target", ["/kasus/cari?q=pengaduan&halaman=2", "/proses",
                                    "/kotak-masuk?tampilan=mine", "/%2F%2Fevil.example"])
def test_local_paths_are_kept(client: FlaskClient, target: str) -> None:
    location = log_in(client, "sekretaris", target)
    assert location == target
    assert urlsplit(browser_target(location)).netloc == "localhost"
