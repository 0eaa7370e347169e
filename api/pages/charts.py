"""Horizontal bar charts as server-rendered SVG geometry (no script, no CDN).

Each row is a label line with one bar per series beneath it. Bar lengths are percentages of
the chart's width, so the SVG has no viewBox: it stretches to its container while its text
keeps its size (readable on a 390-px phone and at 1366 px alike). The template
``_grafik.html`` draws the geometry and a table with the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

BAR_SPAN = 76.0  # per cent of the width a longest bar takes; the value text follows it
LABEL_H, BAR_H, BAR_GAP, ROW_GAP, TOP = 18, 14, 3, 10, 6
LABEL_CHARS = 44  # fits a 390-px phone at 13 px


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    css: str  # a class of alur.css: the bar's fill and pattern


@dataclass(frozen=True)
class Bar:
    series: Series
    value: float | None
    y: int
    width: float  # per cent
    text: str


@dataclass(frozen=True)
class Row:
    label: str
    short_label: str
    y: int
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    unit: str
    series: list[Series]
    rows: list[Row]
    height: int
    ticks: list[tuple[float, str]] = field(default_factory=list)


def bar_chart(chart_id: str, title: str, description: str, series: Sequence[Series],
              rows: Sequence[tuple[str, dict[str, float | None]]], unit: str,
              number: Callable[[float | None], str]) -> Chart:
    """Lay out one row per (label, values by series key); ``number`` formats values."""
    top = max((values.get(s.key) or 0 for _, values in rows for s in series), default=0) or 1
    laid: list[Row] = []
    y = TOP
    for label, values in rows:
        bars = []
        bar_y = y + LABEL_H
        for s in series:
            value = values.get(s.key)
            # the number alone beside the bar (the unit is in the title and the table)
            bars.append(Bar(s, value, bar_y, BAR_SPAN * (value or 0) / top, number(value)))
            bar_y += BAR_H + BAR_GAP
        laid.append(Row(label, _shorten(label), y, bars))
        y = bar_y + ROW_GAP
    ticks: list[tuple[float, str]] = []
    for f in (0, 0.5, 1):  # a half that rounds to a whole already shown is left out
        if number(top * f) not in (text for _, text in ticks):
            ticks.append((BAR_SPAN * f, number(top * f)))
    return Chart(chart_id, title, description, unit, list(series), laid, y + 16, ticks)


def _shorten(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1].rstrip() + "…"
