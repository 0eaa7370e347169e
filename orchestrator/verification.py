"""Recompute a stream's hash chain over the stored records and name the first broken link.

Streams of kinds chained only later (users, process definitions, …) may begin with legacy
events stored without ``prev_hash``: with ``legacy=True`` such a leading run is accepted and
counted (nothing links them to each other), the first chained event must link to the hash of
the last of them, and an unchained event after a chained one is a break.
Reads only: ``recorder.select_events`` and ``mapper.to_domain_event``; nothing here (nor
anywhere in Alur) updates or deletes a stored event. A chain without an outside anchor cannot
show a change to its very last event: keep the head hash of an export to compare later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import AggregateRecorder, Mapper, StoredEvent
from eventsourcing.utils import get_topic

from orchestrator.hashchain import GENESIS, event_hash

ALTERED, REMOVED, INSERTED = "altered", "removed", "inserted"
REORDERED, UNDECODABLE = "reordered", "undecodable"
LEGACY_AFTER_CHAINED = "legacy-after-chained"


@dataclass(frozen=True)
class Problem:
    """The first broken link: the event at ``seq`` and what happened to it."""

    seq: int
    problem: str
    detail: str


@dataclass(frozen=True)
class Verification:
    """A stream's chain recomputed over its stored records."""

    originator_id: UUID
    events: int
    head_hash: str
    first_bad: Problem | None
    legacy: int = 0  # leading events stored before the stream's kind was chained

    @property
    def ok(self) -> bool:
        return self.first_bad is None


@dataclass(frozen=True)
class _Link:
    seq: int
    prev_hash: str | None  # None: a legacy event, stored without one
    hash: str
    at: datetime | None


def verify_stream(recorder: AggregateRecorder, mapper: Mapper[Any], originator_id: UUID,
                  *, legacy: bool = False) -> Verification | None:
    """Verify one stream; None when nothing is stored under the id.

    ``legacy``: the stream's kind was chained after some of its events were stored."""
    records = recorder.select_events(originator_id)
    if not records:
        return None
    links, structural = _decode(mapper, records, legacy)
    problem = _first_break(links)
    if problem is None or (structural is not None and structural.seq < problem.seq):
        problem = structural
    head = links[-1].hash if links else ""
    unchained = next((i for i, link in enumerate(links) if link.prev_hash is not None),
                     len(links))
    return Verification(originator_id, len(records), head, problem, unchained)


def _decode(mapper: Mapper[Any], records: Sequence[StoredEvent], legacy: bool
            ) -> tuple[list[_Link], Problem | None]:
    """Links up to the first gap or undecodable record (that record is the problem)."""
    links: list[_Link] = []
    for expected, record in enumerate(records, start=1):
        version = record.originator_version
        if version != expected:
            kind, detail = (REMOVED, f"event {expected} is missing (the next stored is "
                                     f"{version})") if version > expected else (
                INSERTED, f"a second event {version} is stored")
            return links, Problem(expected, kind, detail)
        try:
            event = mapper.to_domain_event(record)
            link = _link(event, version, legacy)
        except Exception as exc:  # any failure to read a record back is the finding itself
            return links, Problem(version, UNDECODABLE, f"{type(exc).__name__}: {exc}"[:300])
        links.append(link)
    return links, None


def _link(event: Any, version: int, legacy: bool) -> _Link:
    prev_hash = event.__dict__.get("prev_hash")
    if not isinstance(prev_hash, str) and not (legacy and "prev_hash" not in event.__dict__):
        raise ValueError(f"{type(event).__name__} carries no prev_hash")
    digest = event_hash(get_topic(type(event)), event.__dict__)
    return _Link(version, prev_hash, digest, getattr(event, "timestamp", None))


def _first_break(links: list[_Link]) -> Problem | None:
    first_chained: int | None = None
    for i, link in enumerate(links):
        if link.prev_hash is None:
            if first_chained is not None:
                return Problem(link.seq, LEGACY_AFTER_CHAINED,
                               f"event {link.seq} carries no prev_hash, but event "
                               f"{first_chained} before it is chained")
            continue
        first_chained = first_chained or link.seq
        if link.prev_hash != (links[i - 1].hash if i else GENESIS):
            return _blame(links, i)
    return None


def _blame(links: list[_Link], i: int) -> Problem:
    """Which event is at fault when the link into ``links[i]`` is broken."""
    link, nxt = links[i], (links[i + 1] if i + 1 < len(links) else None)
    if i >= 2 and link.prev_hash == links[i - 2].hash:
        return Problem(links[i - 1].seq, INSERTED,
                       f"event {link.seq} links to event {link.seq - 2}: "
                       f"event {link.seq - 1} was put between them")
    if i and (nxt is None or nxt.prev_hash == link.hash):
        # the successor still trusts this event, so its predecessor's content changed
        return Problem(links[i - 1].seq, ALTERED,
                       f"event {link.seq - 1} no longer matches the hash that event "
                       f"{link.seq} recorded for it")
    if _out_of_place(links, i):
        return Problem(link.seq, REORDERED,
                       f"event {link.seq} was recorded after another event than the one "
                       "now before it")
    if nxt is not None and i and nxt.prev_hash == links[i - 1].hash:
        return Problem(link.seq, INSERTED,
                       f"event {nxt.seq} links past event {link.seq} to event {link.seq - 1}")
    return Problem(link.seq, ALTERED,
                   f"event {link.seq} does not link to its predecessor and its successor "
                   "does not link to it")


def _out_of_place(links: list[_Link], i: int) -> bool:
    """The event's recorded predecessor is stored elsewhere, or its time is out of order."""
    stored = {link.hash for link in links} | {GENESIS}
    if links[i].prev_hash in stored:
        return True
    times = [link.at for link in links[max(i - 1, 0): i + 2]]
    known = [t for t in times if t is not None]
    return len(known) == len(times) and known != sorted(known)
