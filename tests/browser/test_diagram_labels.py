"""Every process's diagram on the case page: no two labels (task names, event and gateway
names, flow labels, lane names) overprint each other as bpmn-js draws them."""

from __future__ import annotations

from itertools import combinations
from typing import Any

from orchestrator.commands import Actor, StartCase
from orchestrator.policy import READ_ONLY_ROLES
from tests.browser.conftest import SCREENSHOTS, Server, login
from tests.starts import start_data

LABELS = """() => Array.from(document.querySelectorAll('#diagram .djs-label')).map((label) => {
  const box = label.getBoundingClientRect();
  const owner = label.closest('[data-element-id]');
  return {id: owner ? owner.dataset.elementId : '?', text: label.textContent,
          x: box.x, y: box.y, w: box.width, h: box.height};
}).filter((box) => box.w > 0 && box.h > 0 && box.text.trim())"""


FIT = """() => {
  document.getElementById('diagram').style.height = '1150px';
  const canvas = window.alurViewer.get('canvas');
  canvas.resized();
  canvas.zoom('fit-viewport');
}"""


def overlapping(boxes: list[dict[str, Any]], slack: float = 0.5) -> list[str]:
    """Pairs of label boxes that share more than a hair of area."""
    found = []
    for a, b in combinations(boxes, 2):
        dx = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
        dy = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
        if dx > slack and dy > slack:
            found.append(f"{a['id']} “{a['text'][:30]}” overlaps {b['id']} “{b['text'][:30]}”")
    return found


def test_no_labels_overprint_in_any_process(page: Any, server: Server) -> None:
    app = server.services.orchestrator
    everyone = Actor("uji", frozenset(server.services.roles.roles) - READ_ONLY_ROLES)
    # the PPID flowcharts need the kind of information their service time depends on
    cases = {key: app.start_case(StartCase(key, start_data(app.model(key)[0]), everyone))
             for key in app.process_keys()}
    assert len(cases) >= 31
    login(page, "inspektur")
    page.set_viewport_size({"width": 2400, "height": 1300})
    SCREENSHOTS.mkdir(exist_ok=True)
    problems: dict[str, list[str]] = {}
    for key, started in sorted(cases.items()):
        page.goto(f"/kasus/{started.case_id}")
        page.wait_for_selector("#diagram[data-ready=true]")
        page.evaluate("() => window.alurViewer.get('canvas').zoom(1)")
        boxes = page.evaluate(LABELS)
        assert len(boxes) > 3, key
        if overlapping(boxes):
            problems[key] = overlapping(boxes)
        page.evaluate(FIT)  # the whole diagram, large, for people to look at
        page.locator("#diagram").screenshot(path=str(SCREENSHOTS / f"diagram-{key}.png"))
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())
