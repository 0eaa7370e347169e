"""A step's duration for one case: rules on case data, times per record, and what is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestrator.durations import rule_errors, step_duration
from orchestrator.engine import load_model
from orchestrator.errors import InvalidDefinition
from orchestrator.roles import RoleRegistry
from orchestrator.worktime import Duration

ROOT = Path(__file__).resolve().parents[2] / "processes"
RULES = json.dumps([{"when": "jenis_informasi == 'pemilu'", "duration": "3 hari"},
                    {"duration": "10 hari"}])
PROPS = {"duration": "10 hari … atau 3 hari", "durations": RULES}


@pytest.mark.parametrize("data, expected", [
    ({"jenis_informasi": "pemilu"}, Duration(days=3)),
    ({"jenis_informasi": "lainnya"}, Duration(days=10)),
    ({}, Duration(days=10)),  # a condition on data the case lacks is false
])
def test_the_first_rule_that_holds_gives_the_duration(data: dict, expected: Duration) -> None:
    assert step_duration(PROPS, data) == expected


def test_per_record_rules_multiply_and_need_their_count() -> None:
    props = {"duration": "3 menit perdata",
             "durations": json.dumps([{"duration": "3 menit", "per": "jumlah_data"}])}
    assert step_duration(props, {"jumlah_data": 50}) == Duration(minutes=150)
    for unknown in ({}, {"jumlah_data": "banyak"}, {"jumlah_data": 0}, {"jumlah_data": True}):
        assert step_duration(props, unknown) is None


def test_unreadable_rules_fall_back_to_the_decrees_text() -> None:
    for broken in ("not json", "{}", "[1, 2]", json.dumps([{"when": "__import__('os')",
                                                            "duration": "1 jam"}])):
        assert step_duration({"duration": "2 jam", "durations": broken}, {}) == \
            Duration(minutes=120)


def test_bad_rules_are_named() -> None:
    assert rule_errors(RULES) == []
    assert rule_errors("[") and rule_errors("{}")
    errors = rule_errors(json.dumps([{"duration": "sebentar", "when": "a.b", "kapan": 1}]))
    assert any("unknown keys" in e for e in errors)
    assert any("not a time" in e for e in errors)
    assert any("when" in e and "Attribute" in e for e in errors)


def test_a_bpmn_with_bad_duration_rules_is_refused_at_deploy() -> None:
    bpmn = (ROOT / "bpmn" / "sop-9.22.bpmn").read_bytes()
    good = b"[{&quot;when&quot;:&quot;jenis_informasi == 'pemilu'&quot;"
    assert good in bpmn
    bad = bpmn.replace(good, b"[{&quot;when&quot;:&quot;open('x')&quot;")
    with pytest.raises(InvalidDefinition) as info:
        load_model("sop_9_22", bad, RoleRegistry.load(ROOT / "roles.yaml"))
    assert any("Task_4: durations rule 1: when" in e for e in info.value.details["errors"])
