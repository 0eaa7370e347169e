"""Draw a BPMN diagram (its BPMNDI layout) as vector graphics on an fpdf2 page, the steps
already passed and those waiting marked by fill, border and dash (not by colour alone)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from fpdf import FPDF

from api.diagram_layout import Box, Edge, Layout, Shape

PT_PER_MM = 72 / 25.4
INK, GREY = (28, 32, 39), (90, 98, 112)
DONE_FILL, DONE_LINE = (205, 235, 214), (27, 110, 58)
WAIT_FILL, WAIT_LINE = (255, 227, 179), (199, 119, 0)
EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
          "boundaryEvent"}
GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway"}
CONTAINERS = {"participant", "lane"}


@dataclass(frozen=True)
class Frame:
    """Where the diagram goes on the page: diagram pixel → page millimetre."""
    origin: tuple[float, float]
    offset: tuple[float, float]
    scale: float

    def at(self, x: float, y: float) -> tuple[float, float]:
        return (self.origin[0] + (x - self.offset[0]) * self.scale,
                self.origin[1] + (y - self.offset[1]) * self.scale)

    def box(self, box: Box) -> Box:
        x, y = self.at(box[0], box[1])
        return x, y, box[2] * self.scale, box[3] * self.scale


def fit(layout: Layout, x: float, y: float, width: float, height: float) -> Frame:
    """The frame that fits the whole layout into the given page area."""
    bx, by, bw, bh = layout.bounds
    scale = min(width / bw, height / bh) if bw and bh else 1.0
    return Frame((x, y), (bx, by), scale)


def draw(pdf: FPDF, layout: Layout, frame: Frame, done: set[str], waiting: set[str],
         text: Callable[[str], str]) -> None:
    """Containers, then flows, then nodes, then the external labels (on top)."""
    pdf.set_text_color(*INK)
    for shape in (s for s in layout.shapes if s.kind in CONTAINERS):
        _container(pdf, frame, shape, text)
    for edge in layout.edges:
        _edge(pdf, frame, edge, edge.source in done and edge.target in done | waiting, text)
    for shape in (s for s in layout.shapes if s.kind not in CONTAINERS):
        state = "done" if shape.id in done else "waiting" if shape.id in waiting else ""
        _node(pdf, frame, shape, state, text)
    pdf.set_dash_pattern()
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.2)


def _style(pdf: FPDF, state: str, frame: Frame, heavy: bool = False) -> None:
    fill, line = {"done": (DONE_FILL, DONE_LINE), "waiting": (WAIT_FILL, WAIT_LINE)}.get(
        state, ((255, 255, 255), INK))
    pdf.set_fill_color(*fill)
    pdf.set_draw_color(*line)
    pdf.set_line_width(max(0.15, frame.scale * (4 if heavy or state else 1.5)))
    if state == "waiting":
        pdf.set_dash_pattern(dash=1.2, gap=0.8)
    else:
        pdf.set_dash_pattern()


def _container(pdf: FPDF, frame: Frame, shape: Shape, text: Callable[[str], str]) -> None:
    x, y, w, h = frame.box(shape.bounds)
    pdf.set_dash_pattern()
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.2)
    pdf.rect(x, y, w, h)
    strip = 30 * frame.scale
    pdf.line(x + strip, y, x + strip, y + h)
    size = _font(pdf, 12, frame)
    line_h = size / PT_PER_MM * 1.15
    cx, cy = x + strip / 2, y + h / 2
    lines = _lines(pdf, h - 2, line_h, text(shape.name))[:2]
    with pdf.rotation(90, cx, cy):  # read bottom to top, as bpmn-js draws lane names
        for i, line in enumerate(lines):
            # text() takes page coordinates as given (set_xy reads a negative x from the right)
            baseline = cy + (i - (len(lines) - 1) / 2) * line_h + size / PT_PER_MM * 0.35
            pdf.text(cx - pdf.get_string_width(line) / 2, baseline, line)


def _edge(pdf: FPDF, frame: Frame, edge: Edge, passed: bool,
          text: Callable[[str], str]) -> None:
    points = [frame.at(*p) for p in edge.points]
    _style(pdf, "", frame)
    if passed:
        pdf.set_draw_color(*DONE_LINE)
        pdf.set_line_width(max(0.3, frame.scale * 4))
    pdf.polyline(points)
    (x1, y1), (x2, y2) = points[-2], points[-1]
    angle = math.atan2(y2 - y1, x2 - x1)
    size = 10 * frame.scale
    head = [(x2, y2)] + [(x2 - size * math.cos(angle + d), y2 - size * math.sin(angle + d))
                         for d in (0.45, -0.45)]
    pdf.set_fill_color(*(DONE_LINE if passed else INK))
    pdf.polygon(head, style="F")
    if edge.name and edge.label:
        _label(pdf, frame, edge.label, text(edge.name), 11)


def _node(pdf: FPDF, frame: Frame, shape: Shape, state: str,
          text: Callable[[str], str]) -> None:
    x, y, w, h = frame.box(shape.bounds)
    _style(pdf, state, frame, heavy=shape.kind == "endEvent")
    if shape.kind in EVENTS:
        pdf.circle(x + w / 2, y + h / 2, w / 2, style="DF")
    elif shape.kind in GATEWAYS:
        pdf.polygon([(x + w / 2, y), (x + w, y + h / 2), (x + w / 2, y + h), (x, y + h / 2)],
                    style="DF")
        pdf.set_dash_pattern()
        pdf.line(x + w * 0.35, y + h * 0.35, x + w * 0.65, y + h * 0.65)
        pdf.line(x + w * 0.65, y + h * 0.35, x + w * 0.35, y + h * 0.65)
    else:
        pdf.rect(x, y, w, h, style="DF", round_corners=True, corner_radius=10 * frame.scale)
        _fitted(pdf, frame, (x + 1, y + 1, w - 2, h - 2), text(shape.name))
        return
    if shape.name and shape.label:
        _label(pdf, frame, shape.label, text(shape.name), 11)


def _lines(pdf: FPDF, width: float, height: float, text: str) -> list[str]:
    """How multi_cell would wrap ``text`` (its dry run answers in the font's encoding)."""
    lines = pdf.multi_cell(width, height, text, align="C", dry_run=True, output="LINES")
    return [str(line).encode("latin-1").decode("cp1252") for line in cast(list[str], lines)]


def _font(pdf: FPDF, pixels: float, frame: Frame, least: float = 3.5) -> float:
    size = max(least, pixels * frame.scale * PT_PER_MM)
    pdf.set_font("Helvetica", size=size)
    return size


def _label(pdf: FPDF, frame: Frame, box: Box, name: str, pixels: float) -> None:
    x, y, w, _ = frame.box(box)
    size = _font(pdf, pixels, frame)
    pdf.set_xy(x, y)
    pdf.multi_cell(w, size / PT_PER_MM * 1.15, name, align="C")


def _fitted(pdf: FPDF, frame: Frame, box: Box, name: str) -> None:
    """The task's name inside its box: the largest size up to 12 px whose lines fit."""
    x, y, w, h = box
    for pixels in (12, 11, 10, 9, 8, 7, 6):
        size = _font(pdf, pixels, frame)
        line_h = size / PT_PER_MM * 1.15
        lines = _lines(pdf, w, line_h, name)
        if len(lines) * line_h <= h:
            break
    fitting = max(1, int(h // line_h))
    if len(lines) > fitting:
        lines = [*lines[:fitting - 1], lines[fitting - 1].rstrip()[:-1] + "…"]
    top = y + (h - len(lines) * line_h) / 2
    for i, line in enumerate(lines):
        pdf.set_xy(x, top + i * line_h)
        pdf.cell(w, line_h, line, align="C")
