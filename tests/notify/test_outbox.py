"""The outbox on both stores: notifications derived from the log, sent once through a real
SMTP server, retried, failed visibly, and never sent twice across a sender crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alur.bootstrap import Services
from tests.notify.fakes import smtp_server
from tests.notify.helpers import (
    Crash,
    crash_at,
    deliveries,
    items,
    sender,
    set_profile,
    start_complaint,
)

LATER = timedelta(minutes=11)  # past a claim's lease


def _lane_of_first_task(services: Services, case_id: object) -> str:
    case = services.orchestrator.get_case(case_id)  # type: ignore[arg-type]
    (task,) = case.open_tasks.values()
    return task.lane


def test_a_step_reaching_a_lane_tells_its_holders_in_the_app_and_by_mail(
        services: Services) -> None:
    set_profile(services, "admin", email="admin@kpu-bontang.example")
    case_id = start_complaint(services)
    lane = _lane_of_first_task(services, case_id)
    assert lane == "admin"
    (item,) = [i for i in items(services, "admin") if i["case_id"] == str(case_id)]
    assert item["kind"] == "task_activated" and item["read_at"] is None
    assert services.notifications.unread_count("admin") >= 1
    with smtp_server() as (url, inbox):
        report = sender(services, smtp_url=url).run_once()
        assert report.sent == 1, report
        (mail,) = inbox.to("admin@kpu-bontang.example")
        assert mail["Subject"].startswith("Langkah baru")
        assert mail["Message-ID"].endswith("@kpu-bontang.example>")
        text = mail.get_payload(decode=True).decode()
        assert f"https://alur.example/kasus/{case_id}/tugas/" in text
        assert sender(services, smtp_url=url).run_once().sent == 0  # sent is sent
        assert len(inbox.messages) == 1
    (row,) = deliveries(services)
    assert row["state"] == "sent" and row["attempts"] == 1


def test_a_crash_after_handing_over_never_sends_twice(services: Services) -> None:
    set_profile(services, "admin", email="admin@kpu-bontang.example")
    start_complaint(services)
    services.projections.catch_up()
    now = datetime.now(UTC)
    with smtp_server() as (url, inbox):
        with pytest.raises(Crash):  # delivered by the server, the sender dies before marking
            sender(services, smtp_url=url, fault=crash_at("delivered")).run_once(now)
        assert len(inbox.messages) == 1
        restarted = sender(services, smtp_url=url)
        assert restarted.run_once(now).sent == 0  # still within the dead sender's lease
        report = restarted.run_once(now + LATER)
        assert (report.sent, report.unconfirmed) == (0, 1)
        assert restarted.run_once(now + 2 * LATER).sent == 0
        assert len(inbox.messages) == 1
    (row,) = deliveries(services, "unconfirmed")
    assert "may have been delivered" in row["last_error"]
    listed = services.notifications.deliveries().items  # on the failure list
    assert [(r["key"], r["state"]) for r in listed] == [(row["key"], "unconfirmed")]


def test_a_crash_before_handing_over_sends_once_after_restart(services: Services) -> None:
    set_profile(services, "admin", email="admin@kpu-bontang.example")
    start_complaint(services)
    services.projections.catch_up()
    now = datetime.now(UTC)
    with smtp_server() as (url, inbox):
        with pytest.raises(Crash):  # claimed (stored), then died before sending
            sender(services, smtp_url=url, fault=crash_at("claimed")).run_once(now)
        assert inbox.messages == []
        restarted = sender(services, smtp_url=url)
        assert restarted.run_once(now).sent == 0  # the lease still holds
        assert restarted.run_once(now + LATER).sent == 1
        assert restarted.run_once(now + 2 * LATER).sent == 0
        assert len(inbox.messages) == 1
    (row,) = deliveries(services, "sent")
    assert row["attempts"] == 2


def test_a_refusing_server_is_retried_with_backoff_then_sent(services: Services) -> None:
    set_profile(services, "admin", email="admin@kpu-bontang.example")
    start_complaint(services)
    services.projections.catch_up()
    now = datetime.now(UTC)
    with smtp_server() as (url, inbox):
        inbox.refuse_with = "451 mailbox busy, try later"
        report = sender(services, smtp_url=url).run_once(now)
        assert report.retried == 1
        (row,) = deliveries(services, "retry")
        assert "451" in row["last_error"]
        assert sender(services, smtp_url=url).run_once(now + timedelta(seconds=30)).sent == 0
        inbox.refuse_with = None
        assert sender(services, smtp_url=url).run_once(now + timedelta(seconds=61)).sent == 1
        assert len(inbox.messages) == 1


def test_a_permanent_refusal_lands_on_the_failure_list_and_may_be_resent(
        services: Services) -> None:
    set_profile(services, "admin", email="admin@kpu-bontang.example")
    start_complaint(services)
    services.projections.catch_up()
    with smtp_server() as (url, inbox):
        inbox.refuse_with = "550 no such mailbox"
        assert sender(services, smtp_url=url).run_once().failed == 1
        services.projections.catch_up()
        (row,) = services.notifications.deliveries().items
        assert row["state"] == "failed" and "550" in row["last_error"]
        from orchestrator.notices import find_delivery, save_delivery
        delivery = find_delivery(services.orchestrator, row["key"])
        assert delivery is not None
        delivery.requeue(actor="administrator")
        save_delivery(services.orchestrator, delivery)
        inbox.refuse_with = None
        services.projections.catch_up()
        assert sender(services, smtp_url=url).run_once().sent == 1
        assert len(inbox.messages) == 1


def test_no_channel_configured_is_a_visible_failure(services: Services) -> None:
    set_profile(services, "admin", email="admin@kpu-bontang.example")
    start_complaint(services)
    services.projections.catch_up()
    assert sender(services).run_once().failed == 1
    (row,) = deliveries(services, "failed")
    assert "no email channel" in row["last_error"]


def test_a_rebuild_keeps_what_was_sent(services: Services) -> None:
    set_profile(services, "admin", email="admin@kpu-bontang.example")
    start_complaint(services)
    services.projections.catch_up()
    with smtp_server() as (url, inbox):
        assert sender(services, smtp_url=url).run_once().sent == 1
        services.projections.catch_up()
        before = services.notifications.view.rows("SELECT * FROM notify_deliveries")
        services.projections.rebuild("notifications")
        assert services.notifications.view.rows("SELECT * FROM notify_deliveries") == before
        assert sender(services, smtp_url=url).run_once().sent == 0
        assert len(inbox.messages) == 1
