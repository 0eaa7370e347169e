"""A BPMN diagram as drawn by its BPMNDI: each shape's and edge's bounds, waypoints, label box,
kind (``userTask``, ``lane``, ``sequenceFlow``…) and name. Read with defusedxml."""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": MODEL, "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC",
      "di": "http://www.omg.org/spec/DD/20100524/DI"}
Box = tuple[float, float, float, float]  # x, y, width, height


@dataclass(frozen=True)
class Shape:
    id: str
    kind: str
    name: str
    bounds: Box
    label: Box | None


@dataclass(frozen=True)
class Edge:
    id: str
    name: str
    source: str
    target: str
    points: list[tuple[float, float]]
    label: Box | None


@dataclass(frozen=True)
class Layout:
    shapes: list[Shape]
    edges: list[Edge]
    bounds: Box  # around everything drawn


def read_layout(bpmn: bytes | str) -> Layout:
    """The first diagram's shapes and edges (an empty layout when the file has no BPMNDI)."""
    data = bpmn.encode("utf-8") if isinstance(bpmn, str) else bpmn
    root = SafeET.fromstring(data, forbid_dtd=True)
    elements = {el.get("id"): el for el in root.iter() if el.get("id")}
    plane = root.find(".//bpmndi:BPMNPlane", NS)
    if plane is None:
        return Layout([], [], (0, 0, 0, 0))
    shapes = [_shape(s, elements) for s in plane.iterfind("bpmndi:BPMNShape", NS)]
    edges = [_edge(e, elements) for e in plane.iterfind("bpmndi:BPMNEdge", NS)]
    return Layout([s for s in shapes if s], [e for e in edges if e], _around(shapes, edges))


def _box(element: Element | None) -> Box | None:
    bounds = None if element is None else element.find("dc:Bounds", NS)
    if bounds is None:
        return None
    return tuple(float(bounds.get(k, 0)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def _kind(element: Element | None) -> str:
    return element.tag.rsplit("}", 1)[-1] if element is not None else ""


def _shape(di: Element, elements: dict[str | None, Element]) -> Shape | None:
    element = elements.get(di.get("bpmnElement"))
    bounds = _box(di)
    if element is None or bounds is None:
        return None
    return Shape(element.get("id", ""), _kind(element), element.get("name") or "", bounds,
                 _box(di.find("bpmndi:BPMNLabel", NS)))


def _edge(di: Element, elements: dict[str | None, Element]) -> Edge | None:
    element = elements.get(di.get("bpmnElement"))
    points = [(float(p.get("x", 0)), float(p.get("y", 0)))
              for p in di.iterfind("di:waypoint", NS)]
    if element is None or len(points) < 2:
        return None
    return Edge(element.get("id", ""), element.get("name") or "",
                element.get("sourceRef", ""), element.get("targetRef", ""), points,
                _box(di.find("bpmndi:BPMNLabel", NS)))


def _around(shapes: list[Shape | None], edges: list[Edge | None]) -> Box:
    xs: list[float] = []
    ys: list[float] = []
    for shape in filter(None, shapes):
        for x, y, w, h in filter(None, (shape.bounds, shape.label)):
            xs += [x, x + w]
            ys += [y, y + h]
    for edge in filter(None, edges):
        xs += [p[0] for p in edge.points]
        ys += [p[1] for p in edge.points]
    if not xs:
        return (0, 0, 0, 0)
    return (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
