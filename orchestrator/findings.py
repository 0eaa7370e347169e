"""What a verification of the whole store found, for programs and for people."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from uuid import UUID

from orchestrator.verification import Verification

SNAPSHOT = "snapshot"


@dataclass(frozen=True)
class Finding:
    """One problem (``broken``), or a fact an auditor should know (legacy events: not broken).

    ``kind`` is the stream's kind (case, access log, process definition, user, registration
    counter, directory, ticket) or ``snapshot``; ``name`` its human name where one is known
    (registration number, process key, username); ``seq`` the event (or snapshot version)."""

    kind: str
    stream_id: UUID
    name: str
    seq: int
    problem: str
    detail: str
    broken: bool = True


@dataclass(frozen=True)
class StreamResult:
    kind: str
    name: str
    verification: Verification


@dataclass
class StoreReport:
    """Every stream and snapshot verified, and what was found."""

    streams: list[StreamResult] = field(default_factory=list)
    snapshots: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems()

    def problems(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.broken]

    def counts(self) -> dict[str, tuple[int, int]]:
        """Per kind (and ``snapshot``): (how many verified, how many of them broken)."""
        totals: dict[str, int] = {}
        for stream in self.streams:
            totals[stream.kind] = totals.get(stream.kind, 0) + 1
        if self.snapshots:
            totals[SNAPSHOT] = self.snapshots
        broken = {(f.kind, f.stream_id, f.seq if f.kind == SNAPSHOT else 0)
                  for f in self.problems()}
        return {kind: (total, sum(1 for b in broken if b[0] == kind))
                for kind, total in totals.items()}

    def lines(self) -> Iterator[str]:
        """For people: a line per stream, then per problem or note, then per kind."""
        for stream in self.streams:
            result = stream.verification
            name = f"{stream.name} " if stream.name else ""
            yield (f"{stream.kind} {name}{result.originator_id}  {result.events} events  "
                   f"{result.head_hash[:16]}  {_verdict(result)}")
        for finding in self.findings:
            state = "BROKEN" if finding.broken else "note"
            name = f"{finding.name} " if finding.name else ""
            yield (f"{state}: {finding.kind} {name}{finding.stream_id} event {finding.seq} "
                   f"({finding.problem}): {finding.detail}")
        for kind, (total, broken) in self.counts().items():
            yield f"{kind}: {total} verified, {broken} broken"

    def summary(self) -> str:
        return (f"{len(self.streams)} stream(s) and {self.snapshots} snapshot(s) verified, "
                f"{len(self.problems())} problem(s)")


def _verdict(result: Verification) -> str:
    bad = result.first_bad
    legacy = f" (events 1..{result.legacy} legacy, unchained)" if result.legacy else ""
    if bad is None:
        return f"ok{legacy}"
    return f"BROKEN at event {bad.seq} ({bad.problem}): {bad.detail}{legacy}"
