"""Deploy-time validation: unsafe or unrunnable BPMN is refused with a clear reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.engine import executable_process_ids, load_model
from orchestrator.errors import InvalidDefinition
from orchestrator.roles import RoleRegistry
from tests import bpmn_factory

ROOT = Path(__file__).resolve().parents[2] / "processes"
ROLES = RoleRegistry.load(ROOT / "roles.yaml")
SOP_9_3 = (ROOT / "bpmn" / "sop-9.3.bpmn").read_bytes()


def refused(bpmn: bytes, key: str = "sop_9_3") -> InvalidDefinition:
    with pytest.raises(InvalidDefinition) as info:
        load_model(key, bpmn, ROLES)
    return info.value


def test_the_real_file_deploys() -> None:
    model = load_model("sop_9_3", SOP_9_3, ROLES)
    assert len(model.tasks) == 9 and set(model.lanes.values()) == {
        "pelapor", "admin", "sekretaris", "unit_pengaduan", "rapat_pleno"}


def test_billion_laughs_and_external_entities_are_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">'
            b'<!ENTITY b "&a;&a;&a;">]><x>&b;</x>')
    assert "DTD" in refused(bomb).message
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    assert "DTD" in refused(xxe).message


def test_script_tasks_are_refused() -> None:
    bpmn = SOP_9_3.replace(b"<bpmn:userTask id=\"Task_2\"", b"<bpmn:scriptTask id=\"Task_2\"")
    bpmn = bpmn.replace(b"</bpmn:userTask>\n    <bpmn:userTask id=\"Task_3\"",
                        b"</bpmn:scriptTask>\n    <bpmn:userTask id=\"Task_3\"")
    assert any("scriptTask" in e for e in refused(bpmn).details["errors"])


def test_unsafe_condition_is_refused() -> None:
    bpmn = SOP_9_3.replace(b"keputusan_pleno == &#x27;benar&#x27;", b"__import__('os')")
    bpmn = bpmn.replace(b"keputusan_pleno == 'benar'", b"__import__('os')")
    errors = refused(bpmn).details["errors"]
    assert any("refused" in e for e in errors)


def test_unknown_lane_and_wrong_key_are_refused() -> None:
    bpmn = SOP_9_3.replace(b'name="Sekretaris"', b'name="Tukang Kebun"')
    assert any("Tukang Kebun" in e for e in refused(bpmn).details["errors"])
    assert "no executable process" in refused(SOP_9_3, key="sop_9_4").message
    assert "well-formed" in refused(b"<bpmn:definitions").message


def test_every_shipped_process_deploys_under_the_allow_list() -> None:
    keys = []
    for path in sorted((ROOT / "bpmn").glob("*.bpmn")):
        bpmn = path.read_bytes()
        keys += [load_model(key, bpmn, ROLES).key for key in executable_process_ids(bpmn)]
    assert len(keys) == 31


def with_step(element: str, key: str = "uji") -> bytes:
    """Mulai -> Isi -> <element id="X"> -> Selesai: one element under test in a valid process."""
    body = ('<bpmn:startEvent id="Mulai"/>' + bpmn_factory.user_task("Isi") + element
            + '<bpmn:endEvent id="Selesai"/>' + bpmn_factory.flow("Flow_1", "Mulai", "Isi")
            + bpmn_factory.flow("Flow_2", "Isi", "X") + bpmn_factory.flow("Flow_3", "X", "Selesai"))
    return bpmn_factory.document(key, body, ["Isi"])


def test_the_test_process_itself_deploys() -> None:
    assert load_model("uji", with_step('<bpmn:exclusiveGateway id="X"/>'), ROLES).key == "uji"
    notes = ('<bpmn:exclusiveGateway id="X"><bpmn:documentation>catatan</bpmn:documentation>'
             '</bpmn:exclusiveGateway><bpmn:textAnnotation id="Note"><bpmn:text>lihat SOP'
             '</bpmn:text></bpmn:textAnnotation>'
             '<bpmn:association id="Assoc" sourceRef="Isi" targetRef="Note"/>')
    assert load_model("uji", with_step(notes), ROLES).key == "uji"


TIMER = '<bpmn:timerEventDefinition id="Timer_1"><bpmn:timeDuration>"{}"</bpmn:timeDuration>' \
        '</bpmn:timerEventDefinition>'


@pytest.mark.parametrize("element, message", [
    (f'<bpmn:intermediateCatchEvent id="X">{TIMER.format("P99999Y")}'
     '</bpmn:intermediateCatchEvent>', "X: timer refused: duration P99999Y is longer than 5"),
    ('<bpmn:intermediateCatchEvent id="X"><bpmn:timerEventDefinition id="T"><bpmn:timeCycle>'
     '"R3/PT1H"</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
     "X: timeCycle is not allowed (recurring timers are not supported"),
    ('<bpmn:intermediateCatchEvent id="X"><bpmn:messageEventDefinition id="M"/>'
     '</bpmn:intermediateCatchEvent>', "X: messageEventDefinition is not allowed"),
    (f'<bpmn:intermediateCatchEvent id="X">{TIMER.format("sebentar")}'
     '</bpmn:intermediateCatchEvent>', "X: timer refused: 'sebentar' is not an ISO 8601"),
    ('<bpmn:intermediateCatchEvent id="X"><bpmn:timerEventDefinition id="T"><bpmn:timeDate>'
     '"9999-01-01T00:00:00"</bpmn:timeDate></bpmn:timerEventDefinition>'
     '</bpmn:intermediateCatchEvent>', "X: timer refused: date 9999-01-01T00:00:00 lies more"),
    ('<bpmn:inclusiveGateway id="X"/>', "X: inclusiveGateway is not allowed (only exclusive"),
    ('<bpmn:eventBasedGateway id="X"/>', "X: eventBasedGateway is not allowed"),
    ('<bpmn:complexGateway id="X"/>', "X: complexGateway is not allowed"),
    ('<bpmn:callActivity id="X" calledElement="sop_9_3"/>', "X: callActivity is not allowed"),
    ('<bpmn:subProcess id="X"><bpmn:startEvent id="Dalam"/></bpmn:subProcess>',
     "X: subProcess is not allowed (sub-processes are not supported)"),
    ('<bpmn:receiveTask id="X"/>', "X: receiveTask is not allowed"),
    ('<bpmn:manualTask id="X"/>', "X: manualTask is not allowed"),
    ('<bpmn:task id="X"/>', "X: task is not allowed"),
    ('<bpmn:scriptTask id="X"><bpmn:script>1</bpmn:script></bpmn:scriptTask>',
     "X: scriptTask is not allowed (no code runs on the server)"),
    ('<bpmn:exclusiveGateway id="X"><bpmn:extensionElements><spiffworkflow:preScript>'
     'import os</spiffworkflow:preScript></bpmn:extensionElements></bpmn:exclusiveGateway>',
     "X: spiffworkflow:preScript is not allowed (no code runs on the server)"),
    ('<bpmn:exclusiveGateway id="X"><bpmn:extensionElements><camunda:x xmlns:camunda='
     '"http://camunda.org/schema/1.0/bpmn"/></bpmn:extensionElements></bpmn:exclusiveGateway>',
     "X: {http://camunda.org/schema/1.0/bpmn}x is not allowed (an extension Alur does not"),
    ('<bpmn:userTask id="X"><bpmn:multiInstanceLoopCharacteristics/></bpmn:userTask>',
     "X: multiInstanceLoopCharacteristics is not allowed"),
    ('<bpmn:exclusiveGateway id="X"/><bpmn:dataObjectReference id="Data" dataObjectRef="D"/>'
     '<bpmn:dataObject id="D"/>', "Data: dataObjectReference is not allowed"),
])
def test_elements_alur_does_not_execute_are_refused_by_name(element: str, message: str) -> None:
    errors = refused(with_step(element), key="uji").details["errors"]
    assert any(e.startswith(message) for e in errors), errors


@pytest.mark.parametrize("definition, reason", [
    ('<bpmn:messageEventDefinition id="M"/>', "Alur neither sends nor receives messages"),
    ('<bpmn:signalEventDefinition id="S"/>', "Alur neither sends nor receives signals"),
    ('<bpmn:conditionalEventDefinition id="C"/>', "conditional events are never re-evaluated"),
    ('<bpmn:escalationEventDefinition id="E"/>', "escalations are not handled"),
    ('<bpmn:errorEventDefinition id="E"/>', "error events are not handled"),
    ('<bpmn:compensateEventDefinition id="C"/>', "compensation is not handled"),
    ('<bpmn:terminateEventDefinition id="T"/>', "terminating end events are not supported yet"),
])
def test_start_and_end_events_with_a_definition_are_refused(definition: str, reason: str) -> None:
    tag = definition.split()[0][6:]
    start = bpmn_factory.rework_loop("uji").replace(
        b'<bpmn:startEvent id="Mulai"/>',
        f'<bpmn:startEvent id="Mulai">{definition}</bpmn:startEvent>'.encode())
    assert refused(start, key="uji").details["errors"] == [
        f"Mulai: {tag} is not allowed ({reason})"]
    end = bpmn_factory.rework_loop("uji").replace(
        b'<bpmn:endEvent id="Selesai"/>',
        f'<bpmn:endEvent id="Selesai">{definition}</bpmn:endEvent>'.encode())
    assert refused(end, key="uji").details["errors"] == [
        f"Selesai: {tag} is not allowed ({reason})"]


@pytest.mark.parametrize("place", ["startEvent", "endEvent"])
def test_a_timer_on_a_start_or_end_event_is_refused(place: str) -> None:
    element = "Mulai" if place == "startEvent" else "Selesai"
    bpmn = bpmn_factory.rework_loop("uji").replace(
        f'<bpmn:{place} id="{element}"/>'.encode(),
        f'<bpmn:{place} id="{element}">{TIMER.format("PT1H")}</bpmn:{place}>'.encode())
    (error,) = refused(bpmn, key="uji").details["errors"]
    assert error.startswith(f"{element}: a timer on a {place} is not supported")


def test_timers_deploy_and_a_boundary_timer_must_watch_a_user_task() -> None:
    boundary = (f'<bpmn:boundaryEvent id="Batas" attachedToRef="Isi">{TIMER.format("PT1S")}'
                '</bpmn:boundaryEvent><bpmn:exclusiveGateway id="X"/>')
    model = load_model("uji", with_step(boundary), ROLES)
    assert model.timers["Batas"].attached_to == "Isi" and model.timers["Batas"].interrupting
    waiting = load_model("uji", with_step(
        f'<bpmn:intermediateCatchEvent id="X">{TIMER.format("P3D")}'
        '</bpmn:intermediateCatchEvent>'), ROLES)
    assert waiting.timers["X"].kind == "duration" and not waiting.timers["X"].working
    stray = (f'<bpmn:boundaryEvent id="Batas" attachedToRef="X">{TIMER.format("PT1S")}'
             '</bpmn:boundaryEvent><bpmn:exclusiveGateway id="X"/>')
    assert refused(with_step(stray), key="uji").details["errors"] == [
        "Batas: a boundary timer must be attached to a user task"]


def test_a_message_flow_is_refused() -> None:
    collaboration = ('<bpmn:collaboration id="C"><bpmn:participant id="P" processRef="uji"/>'
                     '<bpmn:messageFlow id="Pesan" sourceRef="P" targetRef="P"/>'
                     '</bpmn:collaboration>')
    bpmn = bpmn_factory.document("uji", with_step('<bpmn:exclusiveGateway id="X"/>').decode()
                                 .split('</bpmn:laneSet>')[1].split('</bpmn:process>')[0],
                                 ["Isi"], collaboration=collaboration)
    assert refused(bpmn, key="uji").details["errors"] == [
        "Pesan: messageFlow is not allowed (Alur neither sends nor receives messages)"]


def test_reserved_and_duplicate_ids_are_refused() -> None:
    bpmn = bpmn_factory.rework_loop("uji").replace(b'"Mulai"', b'"Start"')
    assert "Start: the id is reserved by the engine; choose another" in refused(
        bpmn, key="uji").details["errors"]
    twice = with_step('<bpmn:exclusiveGateway id="X"/><bpmn:exclusiveGateway id="X"/>')
    assert "X: the id is used by more than one element" in refused(
        twice, key="uji").details["errors"]


def loop_without_people(kind: str) -> bytes:
    """Isi -> A -> B -> A ... : a cycle of two gateways of ``kind``, with a way out from B."""
    body = ('<bpmn:startEvent id="Mulai"/>' + bpmn_factory.user_task("Isi")
            + f'<bpmn:{kind} id="A"/><bpmn:{kind} id="B" default="Flow_balik"/>'
            + '<bpmn:endEvent id="Selesai"/>' + bpmn_factory.flow("Flow_1", "Mulai", "Isi")
            + bpmn_factory.flow("Flow_2", "Isi", "A") + bpmn_factory.flow("Flow_3", "A", "B")
            + bpmn_factory.flow("Flow_balik", "B", "A")
            + bpmn_factory.flow("Flow_keluar", "B", "Selesai",
                                "ok == 'ya'" if kind == "exclusiveGateway" else None))
    return bpmn_factory.document("uji", body, ["Isi"])


@pytest.mark.parametrize("kind", ["exclusiveGateway", "parallelGateway"])
def test_a_cycle_without_a_user_task_is_refused(kind: str) -> None:
    errors = refused(loop_without_people(kind), key="uji").details["errors"]
    assert any(e.startswith("A, B: a cycle without a user task") for e in errors), errors


def test_a_parallel_gateway_on_a_loop_is_refused() -> None:
    body = ('<bpmn:startEvent id="Mulai"/><bpmn:parallelGateway id="Bagi"/>'
            + bpmn_factory.user_task("Kiri") + bpmn_factory.user_task("Kanan")
            + '<bpmn:parallelGateway id="Gabung"/>'
            + '<bpmn:exclusiveGateway id="Lagi" default="Flow_ulang"/>'
            + '<bpmn:endEvent id="Selesai"/>' + bpmn_factory.flow("F1", "Mulai", "Bagi")
            + bpmn_factory.flow("F2", "Bagi", "Kiri") + bpmn_factory.flow("F3", "Bagi", "Kanan")
            + bpmn_factory.flow("F4", "Kiri", "Gabung") + bpmn_factory.flow("F5", "Kanan", "Gabung")
            + bpmn_factory.flow("F6", "Gabung", "Lagi")
            + bpmn_factory.flow("F7", "Lagi", "Selesai", "ok == 'ya'")
            + bpmn_factory.flow("Flow_ulang", "Lagi", "Bagi"))
    errors = refused(bpmn_factory.document("uji", body, ["Kiri", "Kanan"]), key="uji")
    assert [e for e in errors.details["errors"] if "parallel gateway on a loop" in e] == [
        "Bagi: a parallel gateway on a loop is not supported (its join gets slower every round)",
        "Gabung: a parallel gateway on a loop is not supported (its join gets slower every "
        "round)"]


def test_flow_structure_the_engine_would_misread_is_refused() -> None:
    conditioned = bpmn_factory.rework_loop("uji").replace(
        b'<bpmn:sequenceFlow id="Flow_2" sourceRef="Periksa" targetRef="Keputusan"/>',
        b'<bpmn:sequenceFlow id="Flow_2" sourceRef="Periksa" targetRef="Keputusan">'
        b'<bpmn:conditionExpression>ok == 1</bpmn:conditionExpression></bpmn:sequenceFlow>')
    assert refused(conditioned, key="uji").details["errors"] == [
        "Flow_2: a condition is evaluated only on a flow out of an exclusive gateway"]
    two_starts = bpmn_factory.rework_loop("uji").replace(
        b'<bpmn:startEvent id="Mulai"/>',
        b'<bpmn:startEvent id="Mulai"/><bpmn:startEvent id="Mulai_2"/>'
        b'<bpmn:sequenceFlow id="Flow_9" sourceRef="Mulai_2" targetRef="Periksa"/>')
    assert "the process needs exactly one start event (found 2)" in refused(
        two_starts, key="uji").details["errors"]
    many = "".join(f'<bpmn:exclusiveGateway id="G{i}"/>' for i in range(200))
    errors = refused(with_step('<bpmn:exclusiveGateway id="X"/>' + many), key="uji")
    assert errors.details["errors"][0].startswith("the process has 204 flow nodes")


@pytest.mark.parametrize("ref", [
    "http://127.0.0.1:9/skema.json", "file:///etc/passwd", "skema-lain.json#/a",
])
@pytest.mark.parametrize("keyword", ["$ref", "$dynamicRef"])
def test_a_form_must_be_self_contained(ref: str, keyword: str) -> None:
    form = {"type": "object", "properties": {"a": {keyword: ref}}}
    bpmn = bpmn_factory.document("uji", '<bpmn:startEvent id="Mulai"/>'
                                 + bpmn_factory.user_task("Isi", form=form)
                                 + bpmn_factory.flow("F1", "Mulai", "Isi"), ["Isi"])
    assert refused(bpmn, key="uji").details["errors"] == [
        f"Isi: property 'form' refers to '{ref}'; a form must be self-contained (only local "
        "references such as '#/$defs/…')"]


def test_a_form_with_local_references_deploys_and_a_boolean_form_is_refused() -> None:
    form = {"type": "object", "$defs": {"pilihan": {"enum": ["ya", "tidak"]}},
            "properties": {"ok": {"$ref": "#/$defs/pilihan"}}}
    local = bpmn_factory.document("uji", '<bpmn:startEvent id="Mulai"/>'
                                  + bpmn_factory.user_task("Isi", form=form)
                                  + bpmn_factory.flow("F1", "Mulai", "Isi"), ["Isi"])
    assert load_model("uji", local, ROLES).tasks["Isi"]["form"]["$defs"] == form["$defs"]
    boolean = local.replace(b'name="form" value="', b'name="form" value="true" x="')
    assert refused(boolean, key="uji").details["errors"] == [
        "Isi: property 'form' must describe an object"]
