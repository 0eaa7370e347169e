"""The delivery state machine without a store: what may be claimed, what is in doubt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orchestrator.commands import Actor
from orchestrator.notices import Delivery, delivery_id
from orchestrator.policy import may_manage_deliveries

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LEASE = (NOW + timedelta(minutes=10)).isoformat()


def _claimed() -> Delivery:
    return Delivery(key="case:3:admin:email", channel="email", sender="a", lease_until=LEASE)


def test_the_stream_id_derives_from_the_key() -> None:
    assert _claimed().id == delivery_id("case:3:admin:email")


def test_a_claim_is_taken_again_only_after_its_lease() -> None:
    delivery = _claimed()
    assert not delivery.claimable(NOW)
    assert delivery.claimable(NOW + timedelta(minutes=11))
    assert not delivery.in_doubt(NOW + timedelta(minutes=11))


def test_a_hand_over_without_an_answer_is_in_doubt_never_claimable() -> None:
    delivery = _claimed()
    delivery.hand_over(attempt=1)
    later = NOW + timedelta(minutes=11)
    assert delivery.in_doubt(later) and not delivery.claimable(later)
    delivery.unconfirm(attempt=1, reason="no answer")
    assert not delivery.claimable(later + timedelta(days=1))
    delivery.requeue(actor="administrator")
    assert delivery.claimable(later)


def test_a_retry_waits_for_its_time_and_a_failure_for_an_administrator() -> None:
    delivery = _claimed()
    delivery.attempt_failed(attempt=1, error="451", retry_at=(NOW + timedelta(minutes=1))
                            .isoformat())
    assert not delivery.claimable(NOW) and delivery.claimable(NOW + timedelta(minutes=1))
    delivery.reclaim(sender="b", lease_until=LEASE)
    delivery.attempt_failed(attempt=2, error="550", retry_at=None)
    assert delivery.state == "failed" and not delivery.claimable(NOW + timedelta(days=9))


def test_only_administrators_manage_deliveries() -> None:
    assert may_manage_deliveries(Actor("root", frozenset({"administrator"})))
    assert not may_manage_deliveries(Actor("admin", frozenset({"admin"})))
    assert not may_manage_deliveries(Actor("i", frozenset({"administrator", "inspektur"})))
