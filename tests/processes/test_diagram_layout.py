"""Every diagram renders legibly: shapes do not overlap and each sits inside its lane."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

ROOT = Path(__file__).resolve().parents[2] / "processes" / "bpmn"
FILES = sorted(ROOT.glob("*.bpmn"))
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
      "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
      "dc": "http://www.omg.org/spec/DD/20100524/DC"}
Box = tuple[float, float, float, float]


def _boxes(root: ET.Element) -> dict[str, Box]:
    boxes = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        boxes[shape.get("bpmnElement")] = tuple(float(b.get(k)) for k in ("x", "y", "width",
                                                                           "height"))
    return boxes


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _inside(inner: Box, outer: Box) -> bool:
    return (outer[0] <= inner[0] and inner[0] + inner[2] <= outer[0] + outer[2]
            and outer[1] <= inner[1] and inner[1] + inner[3] <= outer[1] + outer[3])


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_shapes_do_not_overlap_and_stay_in_their_lane(path: Path) -> None:
    root = ET.fromstring(path.read_bytes())
    boxes = _boxes(root)
    lanes = {lane.get("id"): [ref.text for ref in lane.iterfind("bpmn:flowNodeRef", NS)]
             for lane in root.iterfind(".//bpmn:lane", NS)}
    nodes = [n for refs in lanes.values() for n in refs]
    for a, b in combinations(nodes, 2):
        assert not _overlap(boxes[a], boxes[b]), f"{a} overlaps {b}"
    for lane, refs in lanes.items():
        for node in refs:
            assert _inside(boxes[node], boxes[lane]), f"{node} is drawn outside {lane}"
