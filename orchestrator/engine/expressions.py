"""A restricted evaluator for gateway conditions: a whitelist over Python's AST, never ``eval``.

SpiffWorkflow evaluates conditions with plain ``eval``; a process owner's upload must not run code.
Allowed: names bound in task data, literals, comparisons, ``and``/``or``/``not``, ``in``,
arithmetic on numbers, subscripts by constant. No calls, no attributes, no comprehensions.

Nor may a condition exhaust memory or CPU. At deploy (``parse``): sequences and strings may
not be repeated, formatted with ``%`` or combined arithmetically, literals and the tree are
small. At run time (``evaluate``), over values from case data that can be large: arithmetic
takes numbers only and bounded integers, and every evaluation has a work budget in which each
operation pays for the size of its operands; past it the evaluation fails, it never runs on.
"""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Mapping, Sequence
from typing import Any

MAX_LENGTH = 500  # characters of a condition
MAX_NODES = 200  # AST nodes
MAX_DEPTH = 16  # AST nesting
MAX_LITERAL_CHARS = 200
MAX_LITERAL_ITEMS = 50
MAX_LITERAL_INT = 10**18
MAX_INT_BITS = 128  # operands and results of arithmetic
WORK_BUDGET = 2_000_000  # per evaluation: roughly characters and items touched

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
_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub,
    ast.Compare, ast.BinOp, ast.Name, ast.Load, ast.Constant, ast.List, ast.Tuple,
    ast.Subscript, *_BINARY, *_COMPARE,
)
_CONSTANTS = {"True": True, "False": False, "None": None}


class UnsafeExpression(ValueError):
    """The expression uses something outside the whitelist (refused at deploy)."""


class UnknownName(NameError):
    """The expression names a variable that the task data does not hold."""


class EvaluationFailed(ValueError):
    """The expression cannot be evaluated over this data (wrong types, missing key, a bound)."""


class TooCostly(EvaluationFailed):
    """The evaluation would exceed a size or work bound."""


@functools.lru_cache(maxsize=2048)
def parse(expression: str) -> ast.Expression:
    """Parse and check an expression; raises UnsafeExpression with the reason."""
    if len(expression) > MAX_LENGTH:
        raise UnsafeExpression(f"expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, RecursionError, MemoryError) as exc:
        raise UnsafeExpression(f"syntax error: {getattr(exc, 'msg', 'too deeply nested')}"
                               ) from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise UnsafeExpression(f"expression has more than {MAX_NODES} parts")
    if _depth(tree) > MAX_DEPTH:
        raise UnsafeExpression(f"expression nested deeper than {MAX_DEPTH} levels")
    for node in nodes:
        _check(node)
    return tree


def _depth(tree: ast.AST) -> int:
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _check(node: ast.AST) -> None:
    if not isinstance(node, _ALLOWED):
        raise UnsafeExpression(f"'{type(node).__name__}' is not allowed in a condition")
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        raise UnsafeExpression(f"name '{node.id}' is not allowed")
    if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
        raise UnsafeExpression("subscripts must be constants")
    if isinstance(node, ast.Constant):
        _check_literal(node.value)
    if isinstance(node, ast.List | ast.Tuple) and len(node.elts) > MAX_LITERAL_ITEMS:
        raise UnsafeExpression(f"a list literal may have at most {MAX_LITERAL_ITEMS} items")
    if isinstance(node, ast.BinOp):
        for side in (node.left, node.right):
            if isinstance(side, ast.List | ast.Tuple) or (
                    isinstance(side, ast.Constant) and not _is_number(side.value)):
                raise UnsafeExpression(
                    "only numbers may be combined with + - * / % (no repeating or "
                    "formatting of strings and lists)")


def _check_literal(value: Any) -> None:
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        if len(value) > MAX_LITERAL_CHARS:
            raise UnsafeExpression(f"a string literal may have at most {MAX_LITERAL_CHARS} "
                                   "characters")
    elif isinstance(value, int):
        if abs(value) >= MAX_LITERAL_INT:
            raise UnsafeExpression("a number literal may have at most 18 digits")
    elif not isinstance(value, float):
        raise UnsafeExpression(f"a {type(value).__name__} literal is not allowed")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def evaluate(expression: str, data: Mapping[str, Any], budget: int = WORK_BUDGET) -> Any:
    """Evaluate a checked expression against task data, within a work budget.

    Raises UnknownName for a name missing from the data, EvaluationFailed (TooCostly for a
    bound) when it cannot be evaluated over this data."""
    try:
        return _Evaluation(data, budget).run(parse(expression).body)
    except (TypeError, KeyError, IndexError, ZeroDivisionError, OverflowError) as exc:
        raise EvaluationFailed(f"{type(exc).__name__}: {exc}") from None
    except (RecursionError, MemoryError):
        raise TooCostly("the condition needs too much memory or nesting") from None


class _Evaluation:
    """One evaluation: walks the tree and pays for every operation from one budget."""

    def __init__(self, data: Mapping[str, Any], budget: int) -> None:
        self.data = data
        self.left = budget

    def pay(self, *values: Any) -> None:
        self.left -= 1
        for value in values:
            self.left -= _size(value, max(self.left, 0) + 1)
        if self.left < 0:
            raise TooCostly("the condition does too much work on this data")

    def run(self, node: ast.AST) -> Any:  # noqa: C901, PLR0911
        match node:
            case ast.Constant(value=value):
                return value
            case ast.Name(id=name):
                return self.name(name)
            case ast.BoolOp(op=ast.And(), values=values):
                return all(self.run(v) for v in values)
            case ast.BoolOp(op=ast.Or(), values=values):
                return any(self.run(v) for v in values)
            case ast.UnaryOp(op=ast.Not(), operand=operand):
                return not self.run(operand)
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                return -_number(self.run(operand))
            case ast.BinOp(left=left, op=op, right=right):
                return self.arithmetic(op, self.run(left), self.run(right))
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                return self.compare(left, ops, comparators)
            case ast.List(elts=elts) | ast.Tuple(elts=elts):
                return [self.run(e) for e in elts]
            case ast.Subscript(value=value, slice=ast.Constant(value=key)):
                container = self.run(value)
                self.pay()
                return container[key]
        raise UnsafeExpression(f"'{type(node).__name__}' is not allowed in a condition")

    def name(self, name: str) -> Any:
        self.pay()
        if name in self.data:
            return self.data[name]
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        raise UnknownName(f"'{name}' is not in the case data")

    def arithmetic(self, op: ast.operator, left: Any, right: Any) -> Any:
        self.pay()
        result = _BINARY[type(op)](_number(left), _number(right))
        _number(result)
        return result

    def compare(self, left: ast.AST, ops: list[ast.cmpop],
                comparators: Sequence[ast.AST]) -> bool:
        current = self.run(left)
        for op, comp in zip(ops, comparators, strict=True):
            other = self.run(comp)
            self.pay(current, other)
            if not _COMPARE[type(op)](current, other):
                return False
            current = other
        return True


def _number(value: Any) -> int | float:
    """A number arithmetic may use: no strings or lists, no integers beyond 128 bits."""
    if not isinstance(value, int | float):
        raise EvaluationFailed(f"arithmetic needs numbers, not {type(value).__name__}")
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise TooCostly(f"a number in the condition is larger than {MAX_INT_BITS} bits")
    return value


def _size(value: Any, limit: int) -> int:
    """How much a comparison may touch of a value: characters and items, nested; counted
    iteratively and at most up to ``limit`` (so that counting costs no more than the budget)."""
    total, stack = 0, [value]
    while stack and total < limit:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            total += item.bit_length() // 64
        elif isinstance(item, dict):
            total += len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item)
            stack.extend(item)
    return total
