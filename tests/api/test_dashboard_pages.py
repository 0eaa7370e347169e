"""The Dasbor and Terlambat pages: charts as SVG with table fallbacks, late work in working
time linking to its case, each scoped to the processes the user may see."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from alur.bootstrap import Services
from api.pages import dashboard
from orchestrator.commands import Actor, ClaimTask, StartCase
from tests.api.test_page_login import log_in
from tests.starts import complaint
from tests.steps import complete_step

STAFF = Actor("staf", frozenset({"pelapor", "admin", "sekretaris", "unit_pengaduan",
                                 "rapat_pleno"}))
LATER = datetime.now(UTC) + timedelta(days=60)


def _start(services: Services, subject: str) -> UUID:
    return services.orchestrator.start_case(StartCase("sop_9_3", complaint(subjek=subject),
                                                      STAFF)).case_id


def _step(services: Services, case_id: UUID, **answers: str) -> None:
    complete_step(services.orchestrator, case_id, STAFF, **answers)


@pytest.fixture
def cases(services: Services) -> dict[str, UUID]:
    """One SOP 9.3 case completed, one waiting at step 2 (claimed), one at step 1."""
    done, claimed, fresh = (_start(services, s) for s in ("Selesai", "Diambil", "Baru"))
    for _ in range(6):
        _step(services, done)
    _step(services, done, keputusan_pleno="tidak_benar")
    _step(services, claimed)
    task = next(iter(services.orchestrator.get_case(claimed).open_tasks))
    services.orchestrator.claim_task(ClaimTask(claimed, UUID(task), Actor(
        "admin", frozenset({"admin"}))))
    services.projections.catch_up()
    return {"done": done, "claimed": claimed, "fresh": fresh}


def text(response: object) -> str:
    return unescape(response.get_data(as_text=True))  # type: ignore[attr-defined]


def test_pages_need_a_login(client: FlaskClient) -> None:
    for path in ("/dasbor", "/terlambat"):
        response = client.get(path)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_dashboard_draws_charts_with_titles_and_tables(client: FlaskClient,
                                                      cases: dict[str, UUID]) -> None:
    log_in(client, "sekretaris")
    response = client.get("/dasbor")
    assert response.status_code == 200
    html = text(response)
    assert "<script" not in html.split("<main")[1].split("</main>")[0]  # CSP: no inline script
    for chart in ("grafik-proses", "grafik-unit", "grafik-peran", "grafik-langkah"):
        svg = re.search(rf'<figure class="grafik" id="{chart}">(.*?)</figure>', html, re.S)
        assert svg, chart
        body = svg.group(1)
        assert f'aria-labelledby="{chart}-t {chart}-d"' in body and "<title" in body
        assert "<table" in body and "<desc" in body
    proses = re.search(r'id="grafik-proses">(.*?)</figure>', html, re.S).group(1)
    row = re.search(r"<tr><th scope=\"row\"[^>]*>([^<]*Pengaduan[^<]*)</th>(.*?)</tr>",
                    proses, re.S)
    assert row, proses
    assert re.findall(r">(\d+)</td>", row.group(2)) == ["2", "1", "0"]  # open, done, late
    steps = re.search(r'id="grafik-langkah">(.*?)</figure>', html, re.S).group(1)
    assert "Median" in steps and "Persentil ke-90" in steps and "jam" in steps
    assert "Siklus kasus yang selesai: median" in html
    assert re.search(r">\d+(,\d+)?</td>", steps) and "Median (jam)" in steps
    assert 'href="/terlambat"' in html


def test_overdue_page_lists_late_tasks_and_cases_in_working_time(
        client: FlaskClient, services: Services, cases: dict[str, UUID],
        monkeypatch: pytest.MonkeyPatch) -> None:
    log_in(client, "sekretaris")
    assert "Tidak ada langkah yang melewati jatuh tempo." in text(client.get("/terlambat"))
    monkeypatch.setattr(dashboard, "now", lambda: LATER)
    html = text(client.get("/terlambat"))
    app = services.orchestrator
    for key in ("claimed", "fresh"):
        case = app.get_case(cases[key])
        assert f'href="/kasus/{case.id}"' in html and case.registration in html
    assert html.count('class="baris-terlambat"') == 4  # two steps, two cases past 14 days
    task_rows = html.split('id="judul-kasus"')[0]
    assert "admin" in task_rows and "Belum diambil" in task_rows
    (fresh_task,) = app.get_case(cases["fresh"]).open_tasks.values()
    row = services.inbox.task(fresh_task.task_id)
    late = services.calendar.working_minutes(datetime.fromisoformat(row["due_at"]), LATER)
    hours, minutes = divmod(late, 60)
    expected = f"{hours:,} jam".replace(",", ".") + (f" {minutes} menit" if minutes else "")
    assert f"{expected} kerja" in html
    assert re.search(r"\d{1,2} \w+ 20\d\d \d\d\.\d\d WITA", html)
    assert app.get_case(cases["done"]).registration not in html


def test_pages_show_only_the_processes_the_user_may_see(
        client: FlaskClient, services: Services, cases: dict[str, UUID],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard, "now", lambda: LATER)
    log_in(client, "ppid")  # holds no lane of SOP 9.3
    registration = services.orchestrator.get_case(cases["fresh"]).registration
    html = text(client.get("/terlambat"))
    assert registration not in html and "Tidak ada kasus yang melewati" in html
    assert "Belum ada kasus pada proses yang dapat Anda lihat." in text(client.get("/dasbor"))
    refused = client.get("/terlambat?proses=sop_9_3")
    assert refused.status_code == 404 and "tidak ditemukan" in text(refused)
    assert client.get("/dasbor?proses=sop_9_3").status_code == 404
    assert client.get("/terlambat?proses=tidak_ada").status_code == 404


def test_a_process_can_be_chosen(client: FlaskClient, cases: dict[str, UUID]) -> None:
    log_in(client, "sekretaris")
    html = text(client.get("/dasbor?proses=sop_9_3"))
    assert '<option value="sop_9_3" selected>' in html
    assert "Belum ada kasus pada proses ini." in text(client.get("/dasbor?proses=sop_9_7"))
    assert client.get("/terlambat?proses=sop_9_3").status_code == 200
