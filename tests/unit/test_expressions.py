"""The condition evaluator accepts decisions and refuses code."""

from __future__ import annotations

import pytest

from orchestrator.engine import expressions


@pytest.mark.parametrize("expression, data, expected", [
    ("keputusan == 'benar'", {"keputusan": "benar"}, True),
    ("keputusan == 'benar'", {"keputusan": "tidak_benar"}, False),
    ("pagu < 0 or status in ['minus', 'kurang']", {"pagu": 5, "status": "minus"}, True),
    ("not lengkap and jumlah >= 2 * 3", {"lengkap": False, "jumlah": 6}, True),
    ("dokumen['jenis'] == 'SK'", {"dokumen": {"jenis": "SK"}}, True),
    ("1 < x < 3", {"x": 2}, True),
])
def test_decisions_evaluate(expression: str, data: dict, expected: bool) -> None:
    assert expressions.evaluate(expression, data) is expected


@pytest.mark.parametrize("expression", [
    "__import__('os').system('id')",
    "().__class__.__bases__",
    "open('/etc/passwd').read()",
    "[x for x in range(10)]",
    "lambda: 1",
    "'a' * 10**9",
    "_secret == 1",
    "x[y]",
    "keputusan ==",
])
def test_code_is_refused(expression: str) -> None:
    with pytest.raises(expressions.UnsafeExpression):
        expressions.parse(expression)


def test_missing_name_is_reported() -> None:
    with pytest.raises(expressions.UnknownName, match="keputusan"):
        expressions.evaluate("keputusan == 'benar'", {})
