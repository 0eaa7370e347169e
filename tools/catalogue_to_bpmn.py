"""Scaffold a BPMN 2.0 file (with BPMNDI) from a catalogue YAML flowchart.

Used once per flowchart to produce the first version of `processes/bpmn/*.bpmn`; after that the BPMN
file is the source that process owners edit in the modeler, and tests bind it to the catalogue.

    python tools/catalogue_to_bpmn.py processes/catalogue/sop-9.3.yaml [--flowchart KEY] > out.bpmn
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

import yaml

ROOT = Path(__file__).resolve().parent.parent
LANE_H, TASK_W, TASK_H, COL_W, LEFT = 160, 120, 80, 170, 80
GW, EV = 50, 36
NOTE_FIELD = {"type": "string", "title": "Catatan", "maxLength": 2000}


@dataclass
class Node:
    id: str
    kind: str  # startEvent, userTask, exclusiveGateway, endEvent
    name: str
    lane: str
    col: int
    props: dict[str, str] = field(default_factory=dict)


def role_names() -> dict[str, str]:
    data = yaml.safe_load((ROOT / "processes" / "roles.yaml").read_text())
    return {r["key"]: r["name"] for r in data["roles"]}


def short_name(activity: str, limit: int = 90) -> str:
    text = " ".join(activity.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


# The form vocabulary: each catalogue field's `kind` and the JSON Schema it becomes (SCHEMA.md).
DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATETIME_PATTERN = (r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
                    r"T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$")
TEXT_LIMITS = {"text": 200, "longtext": 5000, "nomor": 100}
ATTENDEE = {"type": "object", "additionalProperties": False, "required": ["nama"],
            "properties": {"nama": {"type": "string", "title": "Nama", "minLength": 1,
                                    "maxLength": 120},
                           "jabatan": {"type": "string", "title": "Jabatan", "maxLength": 120}}}
KINDS = ("text", "longtext", "nomor", "integer", "money", "date", "datetime", "enum", "list",
         "attendees", "user", "document")


def _kind_schema(spec: dict, required: bool) -> dict:
    """The JSON Schema of one field kind (title, decree quote and extras added by the caller)."""
    kind = spec["kind"]
    if kind in TEXT_LIMITS:
        schema: dict = {"type": "string", "maxLength": spec.get("max_length", TEXT_LIMITS[kind])}
        return {**schema, "minLength": 1} if required else schema
    if kind in ("integer", "money"):
        schema = {"type": "integer", "minimum": spec.get("minimum", 0)}
        if "maximum" in spec:
            schema["maximum"] = spec["maximum"]
        return {**schema, "x-alur-widget": "money"} if kind == "money" else schema
    if kind == "date":
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    if kind == "datetime":
        return {"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN}
    if kind == "enum":
        options = spec["options"]
        return {"type": "string", "enum": [o["value"] for o in options],
                "x-enumLabels": {o["value"]: o["label"] for o in options}}
    if kind in ("list", "attendees"):
        item = ATTENDEE if kind == "attendees" else {"type": "string", "minLength": 1,
                                                     "maxLength": spec.get("max_length", 200)}
        schema = {"type": "array", "items": item, "maxItems": spec.get("max_items", 100)}
        return {**schema, "minItems": 1} if required else schema
    if kind == "user":
        return {"type": "string", "minLength": 1, "maxLength": 64, "x-alur-widget": "user",
                "x-alur-lanes": list(spec["roles"])}
    if kind == "document":
        from orchestrator.engine.model import ATTACHMENTS  # the one definition of a reference

        return {**ATTACHMENTS, "minItems": 1} if required else dict(ATTACHMENTS)
    raise ValueError(f"field {spec.get('name')!r}: unknown kind {kind!r} (one of {KINDS})")


def quotes(spec: dict) -> list[dict]:
    """The decree phrases a field (or a decision) comes from: one mapping or a list of them."""
    decree = spec.get("decree") or []
    return [decree] if isinstance(decree, dict) else list(decree)


def decree_quotes(spec: dict) -> list[dict]:
    """The quotes as written into the form (`x-decree`): column and text only."""
    return [{"column": q["column"], "text": q["text"]} for q in quotes(spec)]


def field_schema(spec: dict) -> tuple[str, dict, bool]:
    """(property name, JSON Schema, required) of one catalogue field; a `document` is always
    the form's `lampiran` (the page's upload), whatever its name."""
    spec = dict(spec)
    required = bool(spec.get("required", False))
    if "kind" not in spec:  # a plain JSON Schema property (SOP 9.19's count of records)
        name = spec.pop("name")
        spec.pop("required", None)
        return name, spec, required
    name = "lampiran" if spec["kind"] == "document" else spec["name"]
    schema = {**_kind_schema(spec, required), "title": spec["title"]}
    if spec.get("description"):
        schema["description"] = spec["description"]
    if quotes(spec):
        schema["x-decree"] = decree_quotes(spec)
    return name, schema, required


def task_form(row: dict) -> dict:
    props: dict = {"catatan": NOTE_FIELD}
    required: list[str] = []
    for spec in row.get("fields") or []:  # what the row's Kelengkapan and Output name
        name, schema, must = field_schema(spec)
        if name in props:
            raise ValueError(f"row {row['step']}: field {name!r} twice")
        props[name] = schema
        if must:
            required.append(name)
    decision = row.get("decision")
    if decision:
        answers = decision["answers"]
        props[decision["field"]] = {
            "type": "string",
            "title": decision["question"],
            "enum": [a["value"] for a in answers],
            "x-enumLabels": {a["value"]: a["label"] for a in answers},
        }
        if quotes(decision):
            props[decision["field"]]["x-decree"] = decree_quotes(decision)
        required.append(decision["field"])
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def task_properties(row: dict) -> dict[str, str]:
    """A row's extension properties: the decree's cells (``row`` is the printed number, which
    may repeat or be empty), and where the time depends on the case, its rules."""
    duration = row.get("duration") or {}
    props = {
        "row": str(row["row"]) if "row" in row else str(row["step"]),
        "activity": " ".join(row["activity"].split()),
        "requirements": row.get("requirements") or "",
        "duration": duration.get("text") or "",
        "output": row.get("output") or "",
    }
    if row.get("remarks"):
        props["remarks"] = row["remarks"]
    if duration.get("rules"):
        props["durations"] = json.dumps(duration["rules"], ensure_ascii=False,
                                        separators=(",", ":"))
    if duration.get("reading"):
        props["duration_reading"] = duration["reading"]
    assign = row.get("assign")  # the step goes to the user an earlier step's form named
    if assign:
        props["assign_from"] = assign["from"]
        if assign.get("instruction_from"):
            props["instruction_from"] = assign["instruction_from"]
    props["form"] = json.dumps(task_form(row), ensure_ascii=False, separators=(",", ":"))
    return props


def process_name(doc: dict, chart: dict) -> str:
    """The flowchart's own name where an SOP has several (9.1, 9.2, 9.22), else the SOP's."""
    return chart.get("name") or doc["name"]


def start_form(chart: dict) -> dict:
    """The start form (JSON Schema) from a flowchart's `start_fields`: what the decree's first
    rows ask for and what its register records, in the step forms' vocabulary; each field's
    `x-decree` keeps where its quote stands (row and column, or the SOP's own cells)."""
    props: dict = {}
    required: list[str] = []
    for spec in chart.get("start_fields") or []:
        name, schema, must = field_schema(spec)
        if name in props:
            raise ValueError(f"{chart['key']}: start field {name!r} twice")
        schema["x-decree"] = [{k: q[k] for k in ("row", "column", "text") if k in q}
                              for q in quotes(spec)]
        props[name] = schema
        if must:
            required.append(name)
    return {"type": "object", "properties": props, "required": required,
            "additionalProperties": False}


def start_properties(chart: dict) -> dict[str, str]:
    """Process-level properties for starting a case: its form, who may start it (the first
    row's lane unless the catalogue says otherwise) and a one-line purpose for /mulai."""
    props = {"starters": ",".join(chart.get("starters") or [chart["rows"][0]["lane"]])}
    if chart.get("purpose"):
        props["purpose"] = chart["purpose"]
    if chart.get("start_fields"):
        props["start_form"] = json.dumps(start_form(chart), ensure_ascii=False,
                                         separators=(",", ":"))
    return props


def process_properties(chart: dict) -> list[str]:
    """Process-level properties: `sensitive` flowcharts seal the reporter's identity (WBS,
    gratifikasi); every flowchart says how a case of it starts."""
    sensitive = chart.get("sensitive")
    props = {"sensitive": "true", "handling_role": sensitive["handling_role"]} if sensitive else {}
    props.update(start_properties(chart))
    if chart.get("public_fields"):  # what the portal's status shows of the steps' data
        props["public_fields"] = ",".join(chart["public_fields"])
    if chart.get("followed_by"):  # cases the requester may start after this one (keberatan)
        props["followed_by"] = ",".join(f"{k}:{v}" for k, v in chart["followed_by"].items())
    return [
        "    <bpmn:extensionElements>",
        "      <spiffworkflow:properties>",
        *(f"        <spiffworkflow:property name=\"{k}\" value={quoteattr(v)} />" for k, v in props.items()),
        "      </spiffworkflow:properties>",
        "    </bpmn:extensionElements>",
    ]


def _linked(doc: dict | None, chart: dict) -> list[dict]:
    """The flowcharts of the same SOP this one hands off to (an answer's ``continues_in``
    without ``continues_at``), and theirs in turn: drawn and run inside its process."""
    charts = {c["key"]: c for c in (doc or {}).get("flowcharts") or []}
    found: list[dict] = []
    todo = [chart]
    while todo:
        current = todo.pop(0)
        for row in current["rows"]:
            for answer in (row.get("decision") or {}).get("answers", []):
                key = answer.get("continues_in")
                if not key or answer.get("continues_at") is not None or key == chart["key"]:
                    continue
                if key not in charts:
                    raise ValueError(f"{current['key']} row {row['step']}: continues_in "
                                     f"{key!r} is no flowchart of this SOP")
                if all(c["key"] != key for c in found):
                    found.append(charts[key])
                    todo.append(charts[key])
    return found


def _prefix(host: dict, chart: dict) -> str:
    """Element-id prefix of a linked flowchart's rows (sop_9_22_b in sop_9_22: ``b_``)."""
    if chart is host:
        return ""
    key, base = chart["key"], host["key"] + "_"
    return (key[len(base):] if key.startswith(base) else key) + "_"


def build_nodes(chart: dict, doc: dict | None = None
                ) -> tuple[list[Node], list[tuple[str, str, str, str | None]]]:
    """Nodes and flows of a flowchart's process, with the flowcharts it hands off to
    (``continues_in``) as part of it: their rows keep their own printed numbers and carry
    ``flowchart``; an answer ``continues_at`` a row returns to that row of this process."""
    segments = [chart, *_linked(doc, chart)]
    first = chart["rows"]
    nodes: list[Node] = [Node("StartEvent", "startEvent", "Mulai", first[0]["lane"], 0)]
    flows: list[tuple[str, str, str, str | None]] = []  # (source, target, label, condition)
    col = 1
    ends: dict[str, Node] = {}

    def end_node(label: str, lane: str, at: int) -> str:
        key = label
        if key not in ends:
            # each end event gets a column of its own, so that several ends never overlap
            node = Node(f"EndEvent_{len(ends) + 1}", "endEvent", label, lane, at + len(ends))
            ends[key] = node
        return ends[key].id

    for segment in segments:
        pre = _prefix(chart, segment)
        for row in segment["rows"]:
            n = row["step"]
            props = task_properties(row)
            if pre:
                props = {"flowchart": segment["key"], **props}
            nodes.append(Node(f"Task_{pre}{n}", "userTask", short_name(row["activity"]),
                              row["lane"], col, props))
            col += 1
            if row.get("decision"):
                nodes.append(Node(f"Gateway_{pre}{n}", "exclusiveGateway",
                                  row["decision"]["question"] + "?", row["lane"], col))
                col += 1
    last_col = col
    prefixes = {s["key"]: _prefix(chart, s) for s in segments}
    for segment in segments:
        pre = prefixes[segment["key"]]
        rows = segment["rows"]
        index = {r["step"]: r for r in rows}
        for i, row in enumerate(rows):
            n = row["step"]
            src = f"Task_{pre}{n}"
            if i == 0 and not pre:
                flows.append(("StartEvent", src, "", None))
            decision = row.get("decision")
            if decision:
                gw = f"Gateway_{pre}{n}"
                flows.append((src, gw, "", None))
                for a in decision["answers"]:
                    target = a["next"]
                    cond = f"{decision['field']} == {a['value']!r}"
                    linked = a.get("continues_in")
                    if linked in prefixes and a.get("continues_at") is None and linked != segment["key"]:
                        tgt = f"Task_{prefixes[linked]}{next(r for r in segments if r['key'] == linked)['rows'][0]['step']}"
                    elif linked in prefixes and a.get("continues_at") is not None:
                        tgt = f"Task_{prefixes[linked]}{a['continues_at']}"
                    elif target == "end" or target not in index:
                        tgt = end_node(a.get("end_name") or f"Selesai: {a['label']}", row["lane"], last_col)
                    else:
                        tgt = f"Task_{pre}{target}"
                    flows.append((gw, tgt, a["label"], cond))
            else:
                nxt = row.get("next") or (rows[i + 1]["step"] if i + 1 < len(rows) else "end")
                tgt = end_node(row.get("end_name") or "Selesai", row["lane"], last_col) \
                    if nxt == "end" else f"Task_{pre}{nxt}"
                flows.append((src, tgt, "", None))
    nodes.extend(ends.values())
    return nodes, flows


def render(doc: dict, chart: dict) -> str:
    names = role_names()
    nodes, flows = build_nodes(chart, doc)
    linked = _linked(doc, chart)
    lanes: list[str] = []
    for row in [r for c in (chart, *linked) for r in c["rows"]]:
        if row["lane"] not in lanes:
            lanes.append(row["lane"])
    lane_h = _lane_height(names, lanes, _participant_name(doc, chart))
    lane_y = {lane: 40 + i * lane_h for i, lane in enumerate(lanes)}
    width = LEFT + (max(n.col for n in nodes) + 1) * COL_W + 40
    pid = chart["key"]
    by_id = {n.id: n for n in nodes}

    def box(n: Node) -> tuple[int, int, int, int]:
        w, h = {"userTask": (TASK_W, TASK_H), "exclusiveGateway": (GW, GW)}.get(n.kind, (EV, EV))
        cx = LEFT + 30 + n.col * COL_W + TASK_W // 2
        cy = lane_y[n.lane] + lane_h // 2
        return cx - w // 2, cy - h // 2, w, h

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
        f'id="Definitions_{pid}" targetNamespace="https://alur.kpu-bontang.go.id/bpmn">',
        *_categories(doc, chart, linked),
        f'  <bpmn:collaboration id="Collaboration_{pid}">',
        f'    <bpmn:participant id="Participant_{pid}" name={quoteattr(_participant_name(doc, chart))} processRef="{pid}" />',
        "  </bpmn:collaboration>",
        f'  <bpmn:process id="{pid}" name={quoteattr(process_name(doc, chart))} isExecutable="true">',
        *process_properties(chart),
        "    <bpmn:laneSet id=\"LaneSet_1\">",
    ]
    for lane in lanes:
        out.append(f'      <bpmn:lane id="Lane_{lane}" name={quoteattr(names[lane])}>')
        out += [f"        <bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>" for n in nodes if n.lane == lane]
        out.append("      </bpmn:lane>")
    out.append("    </bpmn:laneSet>")
    flow_ids = {}
    for i, (s, t, _label, _c) in enumerate(flows, 1):
        flow_ids[(s, t)] = f"Flow_{i}"
    for n in nodes:
        out.append(f"    <bpmn:{n.kind} id=\"{n.id}\" name={quoteattr(n.name)}>")
        if n.props:
            out.append("      <bpmn:extensionElements>")
            out.append("        <spiffworkflow:properties>")
            for k, v in n.props.items():
                out.append(f"          <spiffworkflow:property name=\"{k}\" value={quoteattr(v)} />")
            out.append("        </spiffworkflow:properties>")
            out.append("      </bpmn:extensionElements>")
        out += [f"      <bpmn:incoming>{flow_ids[(s, t)]}</bpmn:incoming>" for s, t, *_ in flows if t == n.id]
        out += [f"      <bpmn:outgoing>{flow_ids[(s, t)]}</bpmn:outgoing>" for s, t, *_ in flows if s == n.id]
        out.append(f"    </bpmn:{n.kind}>")
    for other in linked:  # each linked flowchart's rows, grouped under its own heading
        pre = _prefix(chart, other)[:-1]
        out.append(f'    <bpmn:group id="Group_{pre}" categoryValueRef="CategoryValue_{pre}" />')
    for s, t, label, cond in flows:
        name = f" name={quoteattr(label)}" if label else ""
        if cond:
            out.append(f'    <bpmn:sequenceFlow id="{flow_ids[(s, t)]}"{name} sourceRef="{s}" targetRef="{t}">')
            out.append(f"      <bpmn:conditionExpression>{_esc(cond)}</bpmn:conditionExpression>")
            out.append("    </bpmn:sequenceFlow>")
        else:
            out.append(f'    <bpmn:sequenceFlow id="{flow_ids[(s, t)]}"{name} sourceRef="{s}" targetRef="{t}" />')
    out.append("  </bpmn:process>")
    out.append(f'  <bpmndi:BPMNDiagram id="Diagram_{pid}">')
    out.append(f'    <bpmndi:BPMNPlane id="Plane_{pid}" bpmnElement="Collaboration_{pid}">')
    height = len(lanes) * lane_h
    out.append(f'      <bpmndi:BPMNShape id="Participant_{pid}_di" bpmnElement="Participant_{pid}" isHorizontal="true">')
    out.append(f'        <dc:Bounds x="10" y="40" width="{width}" height="{height}" />')
    out.append("      </bpmndi:BPMNShape>")
    for lane in lanes:
        out.append(f'      <bpmndi:BPMNShape id="Lane_{lane}_di" bpmnElement="Lane_{lane}" isHorizontal="true">')
        out.append(f'        <dc:Bounds x="40" y="{lane_y[lane]}" width="{width - 30}" height="{lane_h}" />')
        out.append("      </bpmndi:BPMNShape>")
    for n in nodes:
        x, y, w, h = box(n)
        marker = ' isMarkerVisible="true"' if n.kind == "exclusiveGateway" else ""
        out.append(f'      <bpmndi:BPMNShape id="{n.id}_di" bpmnElement="{n.id}"{marker}>')
        out.append(f'        <dc:Bounds x="{x}" y="{y}" width="{w}" height="{h}" />')
        if n.kind != "userTask":
            lx, ly, lw, lh = _node_label(n, (x, y, w, h))
            out.append(f'        <bpmndi:BPMNLabel><dc:Bounds x="{lx}" y="{ly}" width="{lw}" height="{lh}" /></bpmndi:BPMNLabel>')
        out.append("      </bpmndi:BPMNShape>")
    for other in linked:
        pre = _prefix(chart, other)
        inside = [box(n) for n in nodes if n.id.startswith((f"Task_{pre}", f"Gateway_{pre}"))]
        left = min(b[0] for b in inside) - 15
        right = max(b[0] + b[2] for b in inside) + 15
        out.append(f'      <bpmndi:BPMNShape id="Group_{pre[:-1]}_di" bpmnElement="Group_{pre[:-1]}">')
        out.append(f'        <dc:Bounds x="{left}" y="44" width="{right - left}" height="{height - 8}" />')
        # the heading inside the group's top edge, as wide as the group: above the top lane's
        # steps (bpmn-js would otherwise wrap it into a narrow column over them)
        lw, lh = _text_box(_group_label(doc, chart, other), right - left - 16)
        out.append(f'        <bpmndi:BPMNLabel><dc:Bounds x="{left + 8}" y="48" width="{lw}" height="{lh}" /></bpmndi:BPMNLabel>')
        out.append("      </bpmndi:BPMNShape>")
    for s, t, label, _c in flows:
        out.append(f'      <bpmndi:BPMNEdge id="{flow_ids[(s, t)]}_di" bpmnElement="{flow_ids[(s, t)]}">')
        route = _route(box(by_id[s]), box(by_id[t]), _in_the_way(by_id[s], by_id[t], nodes, box))
        for px, py in route:
            out.append(f'        <di:waypoint x="{px}" y="{py}" />')
        if label:
            lx, ly, lw, lh = _flow_label(route, box(by_id[t]), label)
            out.append(f'        <bpmndi:BPMNLabel><dc:Bounds x="{lx}" y="{ly}" width="{lw}" height="{lh}" /></bpmndi:BPMNLabel>')
        out.append("      </bpmndi:BPMNEdge>")
    out += ["    </bpmndi:BPMNPlane>", "  </bpmndi:BPMNDiagram>", "</bpmn:definitions>", ""]
    return "\n".join(out)


def _group_label(doc: dict, chart: dict, other: dict) -> str:
    return f"SOP {doc['sop']}-{_prefix(chart, other)[:-1]}: {process_name(doc, other)}"


def _categories(doc: dict, chart: dict, linked: list[dict]) -> list[str]:
    """The labels of the linked flowcharts' groups (BPMN groups name a category value)."""
    out = []
    for other in linked:
        pre = _prefix(chart, other)[:-1]
        label = _group_label(doc, chart, other)
        out += [f'  <bpmn:category id="Category_{pre}">',
                f'    <bpmn:categoryValue id="CategoryValue_{pre}" value={quoteattr(label)} />',
                "  </bpmn:category>"]
    return out


def _in_the_way(a: Node, b: Node, nodes: list[Node], box) -> list[tuple[int, int, int, int]]:
    """Shapes in the same lane strictly between two columns (a straight flow would cross them)."""
    if a.lane != b.lane:
        return []
    return [box(n) for n in nodes if n.lane == a.lane and a.col < n.col < b.col]


def _participant_name(doc: dict, chart: dict) -> str:
    return ("SOP " + doc["sop"] + " " if doc.get("sop") else "") + process_name(doc, chart)


# Label boxes are sized for the text bpmn-js draws in them (11 px external labels, 12 px lane
# and participant names, ~0.56 em a character), so that no two labels overprint.
LABEL_CHAR_W, LABEL_LINE_H, NAME_CHAR_W = 6.2, 14, 7.5


def _text_box(text: str, max_w: int) -> tuple[int, int]:
    width = min(max_w, int(len(text) * LABEL_CHAR_W) + 12)
    lines = max(1, -(-int(len(text) * LABEL_CHAR_W) // (width - 12)))
    return width, lines * LABEL_LINE_H + 4


def _lane_height(names: dict[str, str], lanes: list[str], participant: str) -> int:
    """Tall enough for each name in two lines along its 30-px strip."""
    need = max([int(len(names[lane]) * NAME_CHAR_W / 2) + 20 for lane in lanes]
               + [-(-(int(len(participant) * NAME_CHAR_W / 2) + 20) // len(lanes))])
    return max(LANE_H, -(-need // 20) * 20)


def _node_label(n: Node, shape: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    x, y, w, h = shape
    lw, lh = _text_box(n.name, 150 if n.kind == "exclusiveGateway" else 130)
    if n.kind == "exclusiveGateway":  # above: its flows leave to the right and from below
        return x + w // 2 - lw // 2, y - 4 - lh, lw, lh
    if n.kind == "endEvent":  # right: flows come in from the left and from below, never there
        lw, lh = _text_box(n.name, 128)
        return x + w + 4, y + h // 2 - lh // 2, lw, lh
    return x + w // 2 - lw // 2, y + h + 4, lw, lh


def _flow_label(route: list[tuple[int, int]], target: tuple[int, int, int, int], text: str) -> tuple[int, int, int, int]:
    """Beside the flow's own leg where flows of one gateway part, clear of task text (a long
    name overflows its box by a few pixels)."""
    lw, lh = _text_box(text, 160)
    bx, by, bw, bh = target
    (x0, y0), (xn, yn) = route[0], route[-1]
    if len(route) == 2:  # straight: above the line, just before the target
        return xn - 6 - lw, yn - 4 - lh, lw, lh
    if xn == bx:  # forward elbow: beside the vertical leg, above/below the target
        return route[1][0] + 4, (by - 12 - lh) if yn > y0 else (by + bh + 12), lw, lh
    if xn > x0:  # forward round the steps in its way: under its bottom leg, by its target
        return xn + 4, route[1][1] + 4, lw, lh
    # a loop back (several may return to one step): under its bottom leg, left of its source
    return x0 - 4 - lw, route[1][1] + 12, lw, lh


def _route(a: tuple[int, int, int, int], b: tuple[int, int, int, int],
           between: list[tuple[int, int, int, int]] = ()) -> list[tuple[int, int]]:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    if bx > ax and ay + ah // 2 == by + bh // 2 and between:
        # forward along its lane but steps lie in the way: below them, entering from below
        low = ay + ah // 2 + 64
        return [(ax + aw // 2, ay + ah), (ax + aw // 2, low), (bx + bw // 2, low), (bx + bw // 2, by + bh)]
    return _direct_route(a, b)


def _direct_route(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    if bx > ax:  # forward: right side out, left side in, orthogonal elbow between the columns
        start, end = (ax + aw, ay + ah // 2), (bx, by + bh // 2)
        if start[1] == end[1]:
            return [start, end]
        mid = bx - 25
        return [start, (mid, start[1]), (mid, end[1]), end]
    # backward (a loop to "perbaikan"): leave from the bottom, run under both, enter from the bottom
    low = max(ay + ah, by + bh) + 20
    return [(ax + aw // 2, ay + ah), (ax + aw // 2, low), (bx + bw // 2, low), (bx + bw // 2, by + bh)]


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalogue", type=Path)
    parser.add_argument("--flowchart", help="flowchart key (default: the first)")
    args = parser.parse_args()
    doc = yaml.safe_load(args.catalogue.read_text())
    charts = {c["key"]: c for c in doc["flowcharts"]}
    chart = charts[args.flowchart] if args.flowchart else doc["flowcharts"][0]
    sys.stdout.write(render(doc, chart))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
