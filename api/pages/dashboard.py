"""Supervisors' and staff's pages over the worklist: the dashboard (Dasbor) with charts of
cycle times and open, completed and late work, and the list of late work (Terlambat).

Who sees which processes is ``visible_processes`` (api/reports.py, over orchestrator/policy.py),
the same scope as ``GET /dashboard`` and ``GET /sla/overdue``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import render_template, request

from api.auth import services
from api.pages.charts import Chart, Series, bar_chart
from api.pages.common import login_required, page_actor, page_blueprint
from api.pages.formatting import angka
from api.reports import case_row, visible_processes
from orchestrator.errors import NotFound

bp = page_blueprint("pages_dashboard")
OPEN = Series("open", "Berjalan", "batang-berjalan")
DONE = Series("completed", "Selesai", "batang-selesai")
LATE = Series("overdue", "Terlambat", "batang-terlambat")
MEDIAN = Series("median", "Median", "batang-median")
P90 = Series("p90", "Persentil ke-90", "batang-p90")


def now() -> datetime:
    """The moment "late" is measured against (a seam for tests)."""
    return datetime.now(UTC)


def _scope() -> list[str] | None:
    """The processes the user may see, narrowed to ``?proses=`` when one is given."""
    scope = visible_processes(page_actor())
    chosen = request.args.get("proses", "").strip()[:60]
    if chosen:
        known = services().orchestrator.process_keys() if scope is None else scope
        if chosen not in known:
            raise NotFound(f"no process '{chosen}' for this user")
        scope = [chosen]
    return scope


def process_name(key: str) -> str:
    try:
        return services().orchestrator.model(key)[0].name
    except NotFound:
        return key


@bp.get("/dasbor")
@login_required
def dashboard() -> Any:
    """Charts: open/completed/late per process, open and late work per unit and role, and the
    cycle time per step (median and p90 in working hours) of the chosen process."""
    scope = visible_processes(page_actor())
    moment = now()
    stats = services().inbox.dashboard(processes=scope, now=moment)
    names = {s["process"]: process_name(s["process"]) for s in stats}
    chosen = (_scope() or [""])[0] if request.args.get("proses") else _busiest(stats)
    selected = next((s for s in stats if s["process"] == chosen), None)
    workload = services().inbox.workload(processes=scope, now=moment)
    charts = [_per_process(stats, names), *_per_holder(workload)]
    return render_template(
        "dasbor.html", stats=stats, names=names, charts=charts, selected=selected,
        step_chart=_per_step(selected, names) if selected else None, chosen=chosen,
        totals={k: sum(s[k] for s in stats) for k in ("open", "completed", "overdue")},
        late_tasks=sum(w["overdue"] for w in workload), everything=scope is None)


def _busiest(stats: list[dict[str, Any]]) -> str:
    return max(stats, key=lambda s: (s["open"] + s["completed"], s["process"]))["process"] \
        if stats else ""


def _per_process(stats: list[dict[str, Any]], names: dict[str, str]) -> Chart:
    rows = [(names[s["process"]], {k: s[k] for k in ("open", "completed", "overdue")})
            for s in sorted(stats, key=lambda s: -(s["open"] + s["completed"]))]
    return bar_chart("grafik-proses", "Kasus per proses",
                     "Jumlah kasus berjalan, selesai, dan terlambat (melewati waktu layanan) "
                     "untuk setiap proses.", [OPEN, DONE, LATE], rows, "kasus",
                     lambda v: angka(v, 0))


def _per_holder(workload: list[dict[str, Any]]) -> list[Chart]:
    """Open and late tasks per organisational unit and per role."""
    roles = services().roles
    units: dict[str, dict[str, float | None]] = {}
    for w in workload:
        unit = units.setdefault(roles.unit(w["lane"]), {"open": 0, "overdue": 0})
        unit["open"] = (unit["open"] or 0) + w["open"]
        unit["overdue"] = (unit["overdue"] or 0) + w["overdue"]
    by_role = sorted(workload, key=lambda w: (-w["open"], w["lane"]))
    count = lambda v: angka(v, 0)  # noqa: E731
    return [
        bar_chart("grafik-unit", "Pekerjaan terbuka per unit",
                  "Langkah yang menunggu dan yang sudah melewati jatuh tempo, per unit kerja.",
                  [OPEN, LATE], sorted(units.items(), key=lambda u: -(u[1]["open"] or 0)),
                  "langkah", count),
        bar_chart("grafik-peran", "Pekerjaan terbuka per peran",
                  "Langkah yang menunggu dan yang sudah melewati jatuh tempo, per peran.",
                  [OPEN, LATE], [(str(roles.name(w["lane"])), w) for w in by_role],
                  "langkah", count),
    ]


def _per_step(stats: dict[str, Any], names: dict[str, str]) -> Chart:
    """Median and p90 working hours per step, in the order of the process's steps."""
    model, _ = services().orchestrator.model(stats["process"])
    order = {element: i for i, element in enumerate(model.tasks)}
    steps = sorted(stats["steps"], key=lambda s: (order.get(s["element_id"], 999),
                                                  s["element_id"]))
    rows = [(s["name"], {"median": s["median_hours"], "p90": s["p90_hours"]}) for s in steps]
    return bar_chart("grafik-langkah", f"Waktu kerja per langkah: {names[stats['process']]}",
                     "Median dan persentil ke-90 waktu pengerjaan setiap langkah yang sudah "
                     "selesai, dalam jam kerja (WITA, hari dan jam kantor).",
                     [MEDIAN, P90], rows, "jam", angka)


@bp.get("/terlambat")
@login_required
def overdue() -> Any:
    """Late tasks (who holds them, how late in working time) and cases past their service time,
    most late first, each linking to its case."""
    scope = _scope()
    moment = now()
    result = services().inbox.overdue(processes=scope, now=moment)
    tasks = [_late(case_row(t), "due_at", moment) for t in result["tasks"]]
    cases = [_late(case_row(c), "deadline_at", moment) for c in result["cases"]]
    shown = {r["process"] for r in tasks + cases} | set(scope or [])
    visible = visible_processes(page_actor())
    choices = sorted(visible if visible is not None else services().orchestrator.process_keys())
    return render_template(
        "terlambat.html", tasks=sorted(tasks, key=lambda r: -r["late_minutes"]),
        cases=sorted(cases, key=lambda r: -r["late_minutes"]),
        names={k: process_name(k) for k in shown | set(choices)}, choices=choices,
        chosen=request.args.get("proses", ""))


def _late(row: dict[str, Any], due_key: str, moment: datetime) -> dict[str, Any]:
    due = datetime.fromisoformat(row[due_key])
    return {**row, "late_minutes": services().calendar.at(moment).working_minutes(due, moment)}
