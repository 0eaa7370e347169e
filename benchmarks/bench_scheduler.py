"""[scheduler_timers] The scheduler's cost per fired timer with few and with many pending.

Two stores of the kind stay alive side by side: one with ``SMALL`` pending timers, one with
``scale.timer_pending`` (10⁵ full, 10⁴ quick), every pending timer a real case armed by the
engine (a date timer a year ahead). Each round adds ``DUE`` cases whose timer is already due to
both stores (not timed), lets the worklist catch up (not timed), then times one scheduler tick
on each, alternating which goes first. The figure is seconds per fired timer; the ratio is the
large store's median over the small store's (same run, interleaved): flat means ≈ 1.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

from alur.bootstrap import SYSTEM, Services
from alur.scheduler import Scheduler
from benchmarks.context import Context
from benchmarks.stores import services_on
from benchmarks.timing import Result, median, ms, now, quiet_gc, result, say
from orchestrator.case import Case
from orchestrator.commands import Actor, DeployProcess

KEY = "bench_timer"
SMALL = 10**3
DUE = 50
ROUNDS = 8
FILL_BATCH = 200
TARGET = 1.25
BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D"
  targetNamespace="https://alur.test/bpmn">
<bpmn:process id="{KEY}" name="Bench timer" isExecutable="true">
<bpmn:laneSet id="LS"><bpmn:lane id="L" name="Admin"><bpmn:flowNodeRef>Isi</bpmn:flowNodeRef>
</bpmn:lane></bpmn:laneSet>
<bpmn:startEvent id="Mulai"/>
<bpmn:intermediateCatchEvent id="Tunggu"><bpmn:timerEventDefinition id="T">
<bpmn:timeDate>saat</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
<bpmn:userTask id="Isi" name="Isi"/>
<bpmn:endEvent id="Selesai"/>
<bpmn:sequenceFlow id="F1" sourceRef="Mulai" targetRef="Tunggu"/>
<bpmn:sequenceFlow id="F2" sourceRef="Tunggu" targetRef="Isi"/>
<bpmn:sequenceFlow id="F3" sourceRef="Isi" targetRef="Selesai"/>
</bpmn:process></bpmn:definitions>""".encode()


def _fill(services: Services, count: int, due: datetime, label: str) -> None:
    """``count`` cases whose timer is due at ``due``, built by the domain code and saved
    ``FILL_BATCH`` at a time (a start without registration counter or service standard)."""
    app = services.orchestrator
    model, version = app.model(KEY)
    actor = Actor("admin", frozenset({"admin"}))
    data = {"saat": due.isoformat()}
    for begin in range(0, count, FILL_BATCH):
        cases = [Case.start(model, version, data, actor, app.engine,
                            registration=f"{label}-{begin + i}")
                 for i in range(min(FILL_BATCH, count - begin))]
        app.save(*cases)
        if begin and begin % 20_000 == 0:
            say(f"  scheduler_timers: {begin} of {count} pending")


def _round(services: Services, scheduler: Scheduler, label: str, at: datetime) -> float:
    _fill(services, DUE, at - timedelta(minutes=1), label)
    services.projections.catch_up()
    began = now()
    report = scheduler.tick(at)
    seconds = now() - began
    if report.fired != DUE:
        raise RuntimeError(f"expected {DUE} timers fired, got {report}")
    return seconds / DUE


def scheduler_timers(ctx: Context) -> Result:
    large = ctx.scale.timer_pending
    with ExitStack() as stack:
        stores = {}
        for name, pending in (("small", SMALL), ("large", large)):
            store = stack.enter_context(ctx.fresh(f"timers_{name}"))
            services = stack.enter_context(services_on(store))
            services.orchestrator.deploy(DeployProcess(KEY, BPMN, SYSTEM))
            say(f"  scheduler_timers: arming {pending} pending timers ({name})")
            _fill(services, pending, datetime.now(UTC) + timedelta(days=365), name)
            services.projections.catch_up()
            stores[name] = (services, Scheduler(services, schedules=[]))
        samples: dict[str, list[float]] = {"small": [], "large": []}
        query: dict[str, list[float]] = {"small": [], "large": []}
        with quiet_gc():
            for round_ in range(ROUNDS):
                at = datetime.now(UTC)
                order = ["small", "large"] if round_ % 2 == 0 else ["large", "small"]
                for name in order:
                    services, scheduler = stores[name]
                    samples[name].append(_round(services, scheduler, f"due{round_}{name}", at))
                    began = now()
                    services.inbox.due_work(at, DUE)
                    query[name].append(now() - began)
        pending = {name: services.inbox.pending_work() for name, (services, _) in stores.items()}
    per_fire = {name: median(values) for name, values in samples.items()}
    ratio = per_fire["large"] / per_fire["small"]
    figures: dict[str, Any] = {
        "pending": pending, "fired_per_round": DUE, "rounds": ROUNDS,
        "per_fired_ms": {name: ms(value) for name, value in per_fire.items()},
        "due_query_ms": {name: ms(median(values)) for name, values in query.items()},
    }
    return result("scheduler_timers", ctx.kind, ratio=ratio, target=f"<= {TARGET}",
                  met=ratio <= TARGET, **figures)
