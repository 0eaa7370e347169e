"""Registration numbers: a gap-free sequence per process and year, issued on the write side.

The counter is its own aggregate saved in the same transaction as the new case, so two cases
started at once cannot get the same number: one save loses on the counter's version and retries.
"""

from __future__ import annotations

import re
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from orchestrator.hashchain import ChainedAggregate


def counter_id(key: str, year: int) -> UUID:
    return uuid5(NAMESPACE_URL, f"alur:registration:{key}:{year}")


class RegistrationCounter(ChainedAggregate):
    """The last number issued for one process in one year."""

    @staticmethod
    def create_id(key: str, year: int) -> UUID:
        return counter_id(key, year)

    @event("Created")
    def __init__(self, key: str, year: int) -> None:
        self.key = key
        self.year = year
        self.last = 0

    @event("Issued")
    def issue(self, number: int) -> None:
        self.last = number


def process_code(key: str) -> str:
    """sop_9_3 → 9.3, sop_9_22_b → 9.22-b, svc_ppid → ppid."""
    match = re.fullmatch(r"sop_(\d+)_(\d+)(?:_([a-z]))?", key)
    if match:
        major, minor, variant = match.groups()
        return f"{major}.{minor}" + (f"-{variant}" if variant else "")
    return key.removeprefix("svc_").replace("_", "-")


def format_number(key: str, year: int, number: int) -> str:
    return f"{process_code(key)}/{number:05d}/{year}"
