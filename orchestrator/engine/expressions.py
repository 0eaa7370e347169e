"""A restricted evaluator for gateway conditions: a whitelist over Python's AST, never ``eval``.

SpiffWorkflow evaluates conditions with plain ``eval``; a process owner's upload must not run code.
Allowed: names bound in task data, literals, comparisons, ``and``/``or``/``not``, ``in``,
arithmetic on numbers, subscripts by constant. No calls, no attributes, no comprehensions.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Mapping
from typing import Any

MAX_LENGTH = 500

_BINARY = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Mod: operator.mod,
}
_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_CONSTANTS = {"True": True, "False": False, "None": None}


class UnsafeExpression(ValueError):
    """The expression uses something outside the whitelist."""


class UnknownName(NameError):
    """The expression names a variable that the task data does not hold."""


def parse(expression: str) -> ast.Expression:
    """Parse and check an expression; raises UnsafeExpression with the reason."""
    if len(expression) > MAX_LENGTH:
        raise UnsafeExpression(f"expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError as exc:
        raise UnsafeExpression(f"syntax error: {exc.msg}") from None
    for node in ast.walk(tree):
        _check(node)
    return tree


def _check(node: ast.AST) -> None:
    allowed = (
        ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub,
        ast.Compare, ast.BinOp, ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple,
        ast.Subscript, *_BINARY, *_COMPARE,
    )
    if not isinstance(node, allowed):
        raise UnsafeExpression(f"'{type(node).__name__}' is not allowed in a condition")
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        raise UnsafeExpression(f"name '{node.id}' is not allowed")
    if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
        raise UnsafeExpression("subscripts must be constants")
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        # repeated strings/lists could exhaust memory: only numbers may be multiplied
        for side in (node.left, node.right):
            if isinstance(side, ast.Constant) and not isinstance(side.value, int | float):
                raise UnsafeExpression("only numbers may be multiplied")


def evaluate(expression: str, data: Mapping[str, Any]) -> Any:
    """Evaluate a checked expression against task data."""
    return _eval(parse(expression).body, data)


def _eval(node: ast.AST, data: Mapping[str, Any]) -> Any:  # noqa: C901, PLR0911, PLR0912
    match node:
        case ast.Constant(value=value):
            return value
        case ast.Name(id=name):
            if name in data:
                return data[name]
            if name in _CONSTANTS:
                return _CONSTANTS[name]
            raise UnknownName(f"'{name}' is not in the case data")
        case ast.BoolOp(op=ast.And(), values=values):
            return all(_eval(v, data) for v in values)
        case ast.BoolOp(op=ast.Or(), values=values):
            return any(_eval(v, data) for v in values)
        case ast.UnaryOp(op=ast.Not(), operand=operand):
            return not _eval(operand, data)
        case ast.UnaryOp(op=ast.USub(), operand=operand):
            return -_number(_eval(operand, data))
        case ast.BinOp(left=left, op=op, right=right):
            return _BINARY[type(op)](_eval(left, data), _eval(right, data))
        case ast.Compare(left=left, ops=ops, comparators=comparators):
            current = _eval(left, data)
            for comparison, comp in zip(ops, comparators, strict=True):
                other = _eval(comp, data)
                if not _COMPARE[type(comparison)](current, other):
                    return False
                current = other
            return True
        case ast.List(elts=elts) | ast.Tuple(elts=elts):
            return [_eval(e, data) for e in elts]
        case ast.Subscript(value=value, slice=ast.Constant(value=key)):
            return _eval(value, data)[key]
    raise UnsafeExpression(f"'{type(node).__name__}' is not allowed in a condition")


def _number(value: Any) -> int | float:
    if not isinstance(value, int | float):
        raise UnsafeExpression("only numbers may be negated")
    return value
