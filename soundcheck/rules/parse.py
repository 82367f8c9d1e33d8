"""Parsing rules written in YAML or JSON into the canonical form stored in ``Check.rule``.

A rule is a leaf or a combinator:

- leaf: ``{fact: <name>, <operator>: <operand>, ...}`` with an optional ``key:`` to look inside a
  mapping-valued fact (``catalog.annotations``). Operators: ``equals``, ``in``, ``exists``, ``<``,
  ``<=``, ``>``, ``>=`` (or ``lt``, ``lte``, ``gt``, ``gte``), ``max_age`` (``30d``, ``12h``...)
  with ``age_of: value`` (the fact is a timestamp, the default) or ``age_of: collected_at``.
  Several operators in one leaf must all hold.
- combinators: ``{all: [rules]}``, ``{any: [rules]}``, ``{not: rule}``.

Errors raise ``RuleError`` whose message starts with the path inside the rule, e.g.
``rule.all[1].fact: unknown operator 'equal'``; callers prefix the check key or file path.
"""

from __future__ import annotations

import math
import re
from typing import Any

OPERATOR_ALIASES = {
    "equals": "equals",
    "in": "in",
    "exists": "exists",
    "<": "lt",
    "lt": "lt",
    "<=": "lte",
    "lte": "lte",
    ">": "gt",
    "gt": "gt",
    ">=": "gte",
    "gte": "gte",
    "max_age": "max_age",
}
NUMERIC_OPERATORS = ("lt", "lte", "gt", "gte")
LEAF_KEYS = {"fact", "key", "age_of"}
COMBINATORS = ("all", "any", "not")
AGE_OF = ("value", "collected_at")
FACT_NAME = re.compile(r"[a-z0-9][a-z0-9_\-]*(\.[a-z0-9][a-z0-9_\-]*)*", re.IGNORECASE)
DURATION = re.compile(r"(\d{1,6})\s*([mhdw])")
DURATION_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
# Rules come from repositories and admin forms: bound their size so evaluation stays cheap.
MAX_DEPTH = 16
MAX_NODES = 400
MAX_IN_VALUES = 1000


class RuleError(ValueError):
    """A rule that cannot be used; ``str()`` starts with the path to the faulty part."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


def parse_duration(text: Any) -> int:
    """Seconds in a duration such as ``30d``, ``12h``, ``2w`` or ``90m``; raises ``ValueError``."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise ValueError(f"expected a duration like '30d', '12h', '2w' or '90m', got {text!r}")
    match = DURATION.fullmatch(text.strip().lower())
    if not match:
        raise ValueError(f"expected a duration like '30d', '12h', '2w' or '90m', got {text!r}")
    return int(match.group(1)) * DURATION_SECONDS[match.group(2)]


def parse_rule(rule: Any, path: str = "rule") -> dict[str, Any]:
    """The canonical form of ``rule`` (operators spelled ``lt``/``gte``..., durations in seconds)."""
    counter = [0]
    return _parse(rule, path, 0, counter)


def _parse(node: Any, path: str, depth: int, counter: list[int]) -> dict[str, Any]:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise RuleError(path, f"rule has more than {MAX_NODES} parts")
    if depth > MAX_DEPTH:
        raise RuleError(path, f"rule is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(node, dict):
        raise RuleError(path, f"expected a mapping with 'fact', 'all', 'any' or 'not', got {_type(node)}")
    combinators = [key for key in COMBINATORS if key in node]
    if combinators:
        if len(node) != 1:
            extra = ", ".join(repr(key) for key in node if key != combinators[0])
            raise RuleError(path, f"'{combinators[0]}' must stand alone, found also {extra}")
        key = combinators[0]
        inner = node[key]
        if key == "not":
            return {"not": _parse(inner, f"{path}.not", depth + 1, counter)}
        if not isinstance(inner, list) or not inner:
            raise RuleError(f"{path}.{key}", f"expected a non-empty list of rules, got {_type(inner)}")
        return {key: [_parse(item, f"{path}.{key}[{index}]", depth + 1, counter) for index, item in enumerate(inner)]}
    if "fact" not in node:
        keys = ", ".join(repr(str(key)) for key in node) or "nothing"
        raise RuleError(path, f"expected 'fact', 'all', 'any' or 'not', found {keys}")
    return _parse_leaf(node, path)


def _parse_leaf(node: dict[str, Any], path: str) -> dict[str, Any]:
    where = f"{path}.fact"
    name = node["fact"]
    if not isinstance(name, str) or not FACT_NAME.fullmatch(name) or len(name) > 200:
        raise RuleError(where, f"expected a dotted fact name such as 'catalog.owner', got {name!r}")
    leaf: dict[str, Any] = {"fact": name}
    operators: dict[str, Any] = {}
    for key, operand in node.items():
        if key in LEAF_KEYS:
            continue
        canonical = OPERATOR_ALIASES.get(key) if isinstance(key, str) else None
        if canonical is None:
            known = ", ".join(sorted({*OPERATOR_ALIASES} - {"lt", "lte", "gt", "gte"}))
            raise RuleError(where, f"unknown operator {key!r} (expected one of {known})")
        if canonical in operators:
            raise RuleError(where, f"operator {key!r} is given twice")
        operators[canonical] = _operand(canonical, operand, f"{path}.{key}")
    if not operators:
        raise RuleError(where, f"no operator for fact {name!r}: add equals, in, exists, <, <=, >, >= or max_age")
    if "key" in node:
        if not isinstance(node["key"], str) or not node["key"]:
            raise RuleError(f"{path}.key", f"expected a non-empty string, got {node['key']!r}")
        leaf["key"] = node["key"]
    if "age_of" in node:
        if "max_age" not in operators:
            raise RuleError(f"{path}.age_of", "only meaningful with max_age")
        if node["age_of"] not in AGE_OF:
            raise RuleError(f"{path}.age_of", f"expected 'value' or 'collected_at', got {node['age_of']!r}")
        leaf["age_of"] = node["age_of"]
    leaf.update(operators)
    return leaf


def _operand(operator: str, operand: Any, path: str) -> Any:
    if operator in NUMERIC_OPERATORS:
        if not _is_number(operand):
            raise RuleError(path, f"expected a number, got {operand!r}")
        return operand
    if operator == "exists":
        if not isinstance(operand, bool):
            raise RuleError(path, f"expected true or false, got {operand!r}")
        return operand
    if operator == "in":
        if not isinstance(operand, list) or not operand:
            raise RuleError(path, f"expected a non-empty list of values, got {_type(operand)}")
        if len(operand) > MAX_IN_VALUES:
            raise RuleError(path, f"more than {MAX_IN_VALUES} values")
        for index, value in enumerate(operand):
            if isinstance(value, (dict, list)):
                raise RuleError(f"{path}[{index}]", "expected a string, number, boolean or null")
        return operand
    if operator == "max_age":
        if _is_number(operand) and int(operand) == operand and operand >= 0:
            return int(operand)  # the canonical form: seconds
        try:
            return parse_duration(operand)
        except ValueError as error:
            raise RuleError(path, str(error)) from None
    # equals: any JSON value.
    if isinstance(operand, float) and not math.isfinite(operand):
        raise RuleError(path, "expected a finite number")
    return operand


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def fact_names(rule: Any) -> set[str]:
    """Every fact a canonical rule reads (so evaluation loads only those); empty for a broken rule."""
    names: set[str] = set()
    stack = [rule]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        if isinstance(node.get("fact"), str):
            names.add(node["fact"])
        for key in ("all", "any"):
            if isinstance(node.get(key), list):
                stack.extend(node[key])
        if "not" in node:
            stack.append(node["not"])
    return names
