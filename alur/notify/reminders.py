"""Reminders before and after a step is due: a function any scheduler may call.

``due_reminders(services, now)`` reads the worklist's due times and issues, once per step and
kind, a ``Reminder`` event (orchestrator/notices.py): ``due_soon`` when the step is due within
the lead time (``ALUR_REMINDER_LEAD_HOURS``) and was given more than that from the start (a
10-minute step gets its activation notice, not a second one), ``overdue`` once it is past due.
Calling it again, from any number of processes, issues nothing new: the reminder's stream id
derives from (step, kind), and the store refuses a second one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from orchestrator.notices import issue_reminder
from projections.notification_queries import due_tasks


def due_reminders(services: Any, now: datetime) -> int:
    """Issue the reminders due at ``now``; returns how many were new."""
    lead = timedelta(hours=services.config.reminder_lead_hours)
    issued = 0
    done = services.notifications.issued_reminders()  # the store refuses a repeat anyway
    for task in due_tasks(services.projections.view("inbox"), now + lead):
        due = datetime.fromisoformat(task.due_at)
        if due <= now:
            kind = "overdue"
        elif datetime.fromisoformat(task.activated_at) <= due - lead:
            kind = "due_soon"
        else:
            continue
        if (task.task_id, kind) in done:
            continue
        issued += issue_reminder(services.orchestrator, task.task_id, task.case_id, kind,
                                 task.due_at, now.isoformat())
    return issued
