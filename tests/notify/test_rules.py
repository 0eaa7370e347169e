"""Who is told what (both stores): dispositions, finished cases, the public's notices of the
decree at the contact they gave (sealed ones opened only by the sender), the scheduler's
reminders and escalations of a step (in the case's chain) told to its holder, and the
WhatsApp adapter against a local HTTP endpoint."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from alur.bootstrap import Services
from orchestrator.commands import AssignTask, CancelCase, ExtendDeadline, StartCase
from orchestrator.users import User
from projections.notifications import WITA
from tests.notify.fakes import http_gateway, smtp_server
from tests.notify.helpers import actor, deliveries, items, sender, set_profile, start_complaint
from tests.starts import start_data, wbs_start
from tests.steps import complete_step


def _open_task(services: Services, case_id: UUID) -> Any:
    (task,) = services.orchestrator.get_case(case_id).open_tasks.values()
    return task


def test_a_disposition_tells_the_assignee_also_by_whatsapp(services: Services) -> None:
    app = services.orchestrator
    app.register_user(User(username="rina", full_name="Rina", roles=["admin"],
                           password_hash="-"))
    case_id = start_complaint(services)
    set_profile(services, "rina", whatsapp="0812-3456-7890")  # after the step reached admin
    task = _open_task(services, case_id)
    app.assign_task(AssignTask(case_id, UUID(task.task_id), actor(services, "admin"), "rina",
                               "Catat hari ini"))
    (told,) = [i for i in items(services, "rina") if i["kind"] == "task_assigned"]
    assert "Catat hari ini" in told["body"] and told["title"].startswith("Disposisi")
    with http_gateway() as (url, received):
        assert sender(services, whatsapp_url=url).run_once().sent == 1
        (call,) = received
    assert call["json"]["to"] == "6281234567890"
    assert "Disposisi" in call["json"]["message"]
    assert call["headers"]["Authorization"] == "Bearer rahasia"
    assert call["headers"]["Idempotency-Key"] == call["json"]["id"]


def test_a_gateway_error_is_retried_and_a_refusal_fails(services: Services) -> None:
    set_profile(services, "admin", whatsapp="081234567890")
    start_complaint(services)
    services.projections.catch_up()
    with http_gateway(status=503) as (url, _):
        assert sender(services, whatsapp_url=url).run_once().retried == 1
    (row,) = deliveries(services, "retry")
    assert "503" in row["last_error"]


def test_a_finished_case_tells_its_starter(services: Services) -> None:
    case_id = start_complaint(services, by="admin")
    services.orchestrator.cancel_case(CancelCase(case_id, actor(services, "administrator"),
                                                 "Laporan ganda"))
    (told,) = [i for i in items(services, "admin") if i["kind"] == "case_finished"]
    assert "dibatalkan" in told["title"] and "Laporan ganda" in told["body"]


def _ppid(services: Services, contact: str) -> UUID:
    model, _ = services.orchestrator.model("sop_9_22")
    data = start_data(model, pemohon_kontak=contact, jenis_informasi="pemilu")
    return services.orchestrator.start_case(StartCase(
        "sop_9_22", data, actor(services, "petugas_pelayanan_informasi"))).case_id


def test_an_extension_tells_the_requester_its_reason_by_mail(services: Services) -> None:
    case_id = _ppid(services, "pemohon@warga.example")
    services.orchestrator.extend_deadline(ExtendDeadline(
        case_id, actor(services, "ppid"), "Dokumen berada di arsip KPU Provinsi"))
    services.projections.catch_up()
    with smtp_server() as (url, inbox):
        assert sender(services, smtp_url=url).run_once().sent >= 1
        (mail,) = inbox.to("pemohon@warga.example")
    assert mail["Subject"].startswith("Perpanjangan waktu layanan")
    text = mail.get_payload(decode=True).decode()
    assert "diperpanjang 2 hari kerja" in text and "arsip KPU Provinsi" in text


def test_a_complaint_s_follow_up_reaches_the_reporter(services: Services) -> None:
    app = services.orchestrator
    case_id = start_complaint(services, pelapor_kontak="budi@warga.example")
    while app.get_case(case_id).status == "active":
        task = _open_task(services, case_id)
        answers = {"keputusan_pleno": "benar"} if task.element_id == "Task_7" else {}
        complete_step(app, case_id, actor(services, task.lane), **answers)
    (row,) = [r for r in deliveries(services) if r["recipient"] == "publik"]
    assert row["address"] == "budi@warga.example"
    assert row["subject"].startswith("Hasil tindak lanjut pengaduan Anda")
    with smtp_server() as (url, inbox):
        sender(services, smtp_url=url).run_once()
        assert len(inbox.to("budi@warga.example")) == 1


def test_a_sealed_contact_is_never_in_the_read_model_and_opened_by_the_sender(
        services: Services) -> None:
    result = services.orchestrator.start_case(StartCase(
        "sop_9_5", wbs_start(pelapor_nama="Anonim", pelapor_kontak="rahasia@warga.example"),
        actor(services, "pelapor")))
    services.projections.catch_up()
    view = services.notifications.view
    for table in ("notify_cases", "notify_items", "notify_deliveries", "notify_tasks"):
        assert "rahasia@warga.example" not in str(view.rows(f"SELECT * FROM {table}"))
    (case,) = view.rows("SELECT * FROM notify_cases WHERE case_id = :id",
                        {"id": str(result.case_id)})
    assert case["contact"] == "" and case["sealed"].startswith("v1:")
    outbox = sender(services, smtp_url="smtp://127.0.0.1:1")
    channel, address = outbox._route({"channel": "sealed", "address": "", "sealed":
                                      case["sealed"], "case_id": case["case_id"]})
    assert (channel.name, address) == ("email", "rahasia@warga.example")


def test_the_schedulers_reminder_and_escalation_tell_the_step_once(services: Services) -> None:
    """One way to remind: the scheduler's TaskReminded (three quarters of the step's time)
    and TaskEscalated (past due), both in the case's chain, tell the step's lane "due soon"
    and "overdue" once, whatever the number of ticks; no Reminder stream is written."""
    from alur.scheduler import Scheduler
    from orchestrator.notices import Reminder

    case_id = _ppid(services, "pemohon@warga.example")
    complete_step(services.orchestrator, case_id, actor(services, "petugas_pelayanan_informasi"))
    complete_step(services.orchestrator, case_id, actor(services, "petugas_pelayanan_informasi"))
    services.projections.catch_up()
    task = services.inbox.task(_open_task(services, case_id).task_id)  # row 3, 3 days (PPID)
    assert task is not None and task["due_at"]
    due = datetime.fromisoformat(task["due_at"])
    activated = datetime.fromisoformat(task["activated_at"])
    remind = activated + (due - activated) * 0.75
    scheduler = Scheduler(services, schedules=[])

    def told() -> list[str]:
        services.projections.catch_up()
        return sorted(i["kind"] for i in items(services, "ppid")
                      if i["kind"] in ("due_soon", "overdue"))

    assert scheduler.tick(remind - timedelta(minutes=1)).reminded == 0  # too early
    assert told() == []
    assert scheduler.tick(remind + timedelta(minutes=1)).reminded == 1
    assert scheduler.tick(remind + timedelta(minutes=2)).reminded == 0  # once
    assert told() == ["due_soon"]
    assert scheduler.tick(due + timedelta(days=60)).escalated >= 1
    scheduler.tick(due + timedelta(days=61))
    assert told() == ["due_soon", "overdue"]
    kinds = [i for i in items(services, "ppid") if i["kind"] in ("due_soon", "overdue")]
    local = due.astimezone(WITA).strftime("%d-%m-%Y %H.%M WITA")
    assert all(local in i["body"] for i in kinds), kinds
    events = [type(e).__name__ for e in services.orchestrator.case_events(case_id)]
    assert events.count("TaskReminded") == 1 and events.count("TaskEscalated") == 1
    topics = {n.topic for n in services.orchestrator.recorder.select_notifications(1, 10**6)}
    assert not [t for t in topics if t.startswith(f"{Reminder.__module__}:Reminder.")]


def test_an_escalation_reaches_the_supervisor_in_the_app_and_by_mail(
        services: Services) -> None:
    """Issue 16: a PPID request's late first step is escalated by the scheduler to the
    Kasubbag of its unit, the late case to the Sekretaris; both are told, by mail too."""
    from alur.scheduler import Scheduler

    set_profile(services, "kasubbag_parmas_sdm", email="kasubbag@kpu-bontang.example")
    set_profile(services, "sekretaris", email="sekretaris@kpu-bontang.example")
    app = services.orchestrator
    model, _ = app.model("sop_9_22")
    case_id = app.start_case(StartCase("sop_9_22", start_data(model, jenis_informasi="lainnya"),
                                       actor(services, "petugas_pelayanan_informasi"))).case_id
    due = datetime.fromisoformat(app.get_case(case_id).deadline["set_at"]) + timedelta(days=60)
    report = Scheduler(services, schedules=[]).tick(due)
    assert report.escalated == 2
    services.projections.catch_up()
    (step,) = [i for i in items(services, "kasubbag_parmas_sdm")
               if i["case_id"] == str(case_id) and i["kind"] == "task_escalated"]
    assert step["title"].startswith("Eskalasi: ")
    assert [i["kind"] for i in items(services, "sekretaris")
            if i["case_id"] == str(case_id)] == ["case_escalated"]
    assert not [i for i in items(services, "admin") if "escalated" in i["kind"]]
    with smtp_server() as (url, inbox):
        sender(services, smtp_url=url).run_once()
        (mail,) = inbox.to("kasubbag@kpu-bontang.example")
        assert mail["Subject"].startswith("Eskalasi: ")
        (late,) = inbox.to("sekretaris@kpu-bontang.example")
        assert "melewati waktu layanan" in late["Subject"]


def test_a_plh_is_told_of_the_lane_they_hold_only_while_they_hold_it(
        services: Services) -> None:
    """Issue 16 item 3: a step reaching the Ketua's lane is in the Plh's notifications on the
    days of the appointment; ended, the Plh is no longer told."""
    from datetime import date

    from orchestrator.commands import AppointActing, EndActing

    app = services.orchestrator
    app.register_user(User(username="andi", full_name="Andi", roles=["kasubbag"],
                           password_hash="x"))
    ketua = actor(services, "ketua")
    today = datetime.now(WITA).date()
    made = app.appoint_acting(AppointActing(ketua, "andi", "ketua", "plh", today, today,
                                            "Cuti"))
    model, _ = app.model("sop_9_6")
    during = app.start_case(StartCase("sop_9_6", start_data(model), ketua)).case_id
    services.projections.catch_up()
    assert [i["kind"] for i in items(services, "andi") if i["case_id"] == str(during)] == [
        "task_activated"]
    app.end_acting(EndActing(ketua, "andi", made.appointment_id, "Kembali"))
    after = app.start_case(StartCase("sop_9_6", start_data(model), ketua)).case_id
    services.projections.catch_up()
    assert not [i for i in items(services, "andi") if i["case_id"] == str(after)]
    assert [i["kind"] for i in items(services, "ketua") if i["case_id"] == str(after)] == [
        "task_activated"]
    assert date.fromisoformat(made.ends_on) == today
