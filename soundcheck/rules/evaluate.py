"""Evaluating a canonical rule against one entity's facts, with a reason a person can act on.

Evaluation never raises for missing or odd facts: a rule over a fact that was never collected fails
with "fact X was never collected", a numeric comparison with a non-number fails saying what the
value was. Only a rule that does not parse is an error, and callers record it as such.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import ge, gt, le, lt
from typing import Any, NamedTuple

from django.utils.dateparse import parse_datetime

from .parse import NUMERIC_OPERATORS, _is_number

SYMBOLS = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
COMPARISONS = {"lt": lt, "lte": le, "gt": gt, "gte": ge}
_MISSING = object()


class FactValue(NamedTuple):
    """A fact's value and when it was collected (None where no rule reads it, in bulk evaluation)."""

    value: Any
    collected_at: datetime | None


@dataclass(frozen=True)
class Outcome:
    """Whether a rule held, and why not (or, for a passing rule, a short note)."""

    passed: bool
    message: str = ""


def evaluate_rule(rule: dict[str, Any], facts: Mapping[str, FactValue], now: datetime) -> Outcome:
    """Evaluate a rule in canonical form (``parse_rule``'s output) over ``facts`` at ``now``."""
    if "all" in rule:
        failures = [
            outcome for outcome in (evaluate_rule(item, facts, now) for item in rule["all"]) if not outcome.passed
        ]
        return Outcome(not failures, "; ".join(outcome.message for outcome in failures))
    if "any" in rule:
        outcomes = [evaluate_rule(item, facts, now) for item in rule["any"]]
        if any(outcome.passed for outcome in outcomes):
            return Outcome(True)
        return Outcome(False, "none held: " + " | ".join(outcome.message for outcome in outcomes))
    if "not" in rule:
        inner = evaluate_rule(rule["not"], facts, now)
        if inner.passed:
            return Outcome(False, f"expected this not to hold: {describe(rule['not'])}")
        return Outcome(True)
    return _evaluate_leaf(rule, facts, now)


def never_collected(name: str) -> str:
    """The failure of a rule over a fact no collector, push or CI report has sent yet."""
    return f"fact {name} was never collected"


_NEVER_COLLECTED = re.compile(r"fact (\S+) was never collected")


def uncollected_facts(message: str) -> list[str]:
    """The facts named when ``message`` says only that facts were never collected; else ``[]``."""
    parts = [_NEVER_COLLECTED.fullmatch(part) for part in message.split("; ")] if message else []
    return [part.group(1) for part in parts if part] if parts and all(parts) else []


def _evaluate_leaf(leaf: dict[str, Any], facts: Mapping[str, FactValue], now: datetime) -> Outcome:
    name = leaf["fact"]
    fact = facts.get(name)
    label = f"{name}[{leaf['key']}]" if "key" in leaf else name
    if fact is None:
        if leaf.get("exists") is False and len(_operators(leaf)) == 1:
            return Outcome(True)
        return Outcome(False, never_collected(name))
    value = fact.value
    if "key" in leaf:
        value = value.get(leaf["key"], _MISSING) if isinstance(value, dict) else _MISSING
    for operator, operand in _operators(leaf).items():
        failure = _check(operator, operand, value, fact, leaf, label, now)
        if failure:
            return Outcome(False, failure)
    return Outcome(True)


def rule_horizon(rule: dict[str, Any], facts: Mapping[str, FactValue], now: datetime) -> datetime | None:
    """Until when ``evaluate_rule(rule, facts, t)`` gives what it gives at ``now`` for every ``t`` in
    between, or None when it does not depend on the time at all (no ``max_age`` leaf it can reach).

    A ``max_age`` leaf that holds keeps holding until its moment plus the maximum age; one that
    fails says how old the fact is, a message that changes with time, so it holds only for ``now``.
    Conservative: the earliest horizon of every leaf, whatever the combinators make of them.
    """
    if "all" in rule or "any" in rule:
        horizons = [rule_horizon(item, facts, now) for item in rule.get("all", rule.get("any", []))]
        found = [horizon for horizon in horizons if horizon is not None]
        return min(found) if found else None
    if "not" in rule:
        return rule_horizon(rule["not"], facts, now)
    if "max_age" not in rule:
        return None
    fact = facts.get(rule["fact"])
    if fact is None:
        return None
    if rule.get("age_of") == "collected_at":
        moment = fact.collected_at
    else:
        value = fact.value
        if "key" in rule:
            value = value.get(rule["key"], _MISSING) if isinstance(value, dict) else _MISSING
        moment = None if value is _MISSING else _timestamp(value)
    if moment is None:
        return None
    until = moment + timedelta(seconds=rule["max_age"])
    return until if until >= now else now


def _operators(leaf: dict[str, Any]) -> dict[str, Any]:
    return {key: operand for key, operand in leaf.items() if key not in ("fact", "key", "age_of")}


def _check(
    operator: str, operand: Any, value: Any, fact: FactValue, leaf: dict[str, Any], label: str, now: datetime
) -> str:
    """An empty string when the operator holds, else the reason it does not."""
    # The value is rendered only for a failure: most checks pass, and rendering is JSON encoding.
    if operator == "exists":
        present = value is not _MISSING and value not in (None, "", [], {})
        if present == operand:
            return ""
        return f"{label} is {_shown(value)}, expected it to be set" if operand else f"{label} is set ({_shown(value)})"
    if value is _MISSING:
        return f"{label} has no such key"
    if operator == "equals":
        return "" if _same(value, operand) else f"{label} is {_shown(value)}, expected {_show(operand)}"
    if operator == "in":
        if any(_same(value, candidate) for candidate in operand):
            return ""
        return f"{label} is {_shown(value)}, expected one of {_show(operand)}"
    if operator in NUMERIC_OPERATORS:
        if not _is_number(value):
            return f"{label} is {_shown(value)}, not a number"
        if COMPARISONS[operator](value, operand):
            return ""
        return f"{label} is {_shown(value)}, expected {SYMBOLS[operator]} {_show(operand)}"
    if operator == "max_age":
        if leaf.get("age_of") == "collected_at":
            moment: datetime | None = fact.collected_at
            if moment is None:
                return f"{label}: when it was collected is unknown"
        else:
            moment = _timestamp(value)
            if moment is None:
                return f"{label} is {_shown(value)}, not a timestamp"
        age = (now - moment).total_seconds()
        if age <= operand:
            return ""
        what = f"{label} was collected" if leaf.get("age_of") == "collected_at" else f"{label} ({_shown(value)}) is"
        return f"{what} {_days(age)} ago, older than {_days(operand)}"
    return f"unknown operator {operator!r}"


def _same(value: Any, operand: Any) -> bool:
    # true == 1 in Python; in rules a boolean only equals a boolean.
    if isinstance(value, bool) != isinstance(operand, bool):
        return False
    return value == operand


def _timestamp(value: Any) -> datetime | None:
    if _is_number(value):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            moment = parse_datetime(value)
        except ValueError:
            return None
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment
    return None


def _days(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.0f} days" if seconds >= 2 * 86400 else "1 day"
    return f"{seconds / 3600:.0f} hours" if seconds >= 7200 else f"{seconds / 60:.0f} minutes"


def _shown(value: Any) -> str:
    return "missing" if value is _MISSING else _show(value)


def _show(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def describe(rule: dict[str, Any]) -> str:
    """A one-line rendering of a canonical rule, for messages and the admin."""
    if "all" in rule:
        return "(" + " and ".join(describe(item) for item in rule["all"]) + ")"
    if "any" in rule:
        return "(" + " or ".join(describe(item) for item in rule["any"]) + ")"
    if "not" in rule:
        return f"not {describe(rule['not'])}"
    label = f"{rule['fact']}[{rule['key']}]" if "key" in rule else rule["fact"]
    parts = []
    for operator, operand in _operators(rule).items():
        if operator in SYMBOLS:
            parts.append(f"{label} {SYMBOLS[operator]} {_show(operand)}")
        elif operator == "max_age":
            parts.append(f"{label} newer than {_days(operand)}")
        elif operator == "exists":
            parts.append(f"{label} is set" if operand else f"{label} is not set")
        elif operator == "in":
            parts.append(f"{label} in {_show(operand)}")
        else:
            parts.append(f"{label} = {_show(operand)}")
    return " and ".join(parts)
