"""Which events a projection's runner may pass over without decoding them."""

from __future__ import annotations

from eventsourcing.utils import get_topic

from orchestrator.case import Case
from orchestrator.office_calendar import OfficeCalendar
from orchestrator.registration import RegistrationCounter
from orchestrator.users import User
from projections.inbox import InboxProjection
from projections.notifications import NotificationProjection
from projections.runner import _passes_over


def test_events_with_a_handler_are_decoded_and_the_rest_passed_over() -> None:
    assert not _passes_over(InboxProjection, get_topic(Case.TaskActivated))
    assert not _passes_over(InboxProjection, get_topic(Case.Started))
    # registered for the base class: every kind of calendar change reaches it
    assert not _passes_over(InboxProjection, get_topic(OfficeCalendar.CutiBersamaDeclared))
    assert _passes_over(InboxProjection, get_topic(RegistrationCounter.Issued))
    assert _passes_over(InboxProjection, get_topic(User.Registered))
    # each projection by its own handlers: the notifications know users
    assert not _passes_over(NotificationProjection, get_topic(User.Registered))


def test_a_topic_that_names_no_class_is_decoded_so_that_its_failure_is_recorded() -> None:
    assert not _passes_over(InboxProjection, "orchestrator.case:Case.NoSuchEvent")
    assert not _passes_over(InboxProjection, "no_such_module:Thing")
