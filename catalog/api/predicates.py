"""Backstage's predicate query language, as used by the POST query endpoints, turned into a Q.

``{"kind": "component", "spec.type": {"$in": ["service"]}}`` ANDs its keys; ``$all``, ``$any`` and
``$not`` combine; values are compared as lowercase strings. Anything else is a 400.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from portal.api.errors import InputError

from ..filtering import condition_q, escape_like, like_q, relation_q
from ..formats.filter_syntax import Condition

_PRIMITIVES = (str, int, float, bool)
_NOTHING = Q(pk__in=[])


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).lower()


def predicate_q(predicate: Any) -> Q:
    """The Q selecting entities that satisfy ``predicate``; raises ``InputError`` when malformed."""
    if not isinstance(predicate, dict):
        raise InputError("query must be an object")
    combined = Q()
    for key, value in predicate.items():
        combined &= _entry_q(key, value)
    return combined


def _entry_q(key: str, value: Any) -> Q:
    if key == "$all":
        return _list(key, value, all_of=True)
    if key == "$any":
        return _list(key, value, all_of=False)
    if key == "$not":
        return ~predicate_q(value)
    if key.startswith("$"):
        raise InputError(f"unknown query operator {key!r}")
    field = key.lower()
    if field == "relations":
        return _relations(value)
    if isinstance(value, _PRIMITIVES):
        return condition_q(Condition(field, (_text(value),)))
    if not isinstance(value, dict) or len(value) != 1:
        raise InputError(f"invalid query value for {key!r}")
    operator, operand = next(iter(value.items()))
    if operator == "$exists" and isinstance(operand, bool):
        exists = condition_q(Condition(field, None))
        return exists if operand else ~exists
    if operator == "$in" and isinstance(operand, list) and all(isinstance(v, _PRIMITIVES) for v in operand):
        return condition_q(Condition(field, tuple(_text(v) for v in operand))) if operand else _NOTHING
    if operator == "$hasPrefix" and isinstance(operand, str):
        return like_q(field, f"{escape_like(operand)}%")
    if operator == "$contains" and isinstance(operand, _PRIMITIVES):
        return condition_q(Condition(field, (_text(operand),)))
    raise InputError(f"invalid query operator {operator!r} for {key!r}")


def _list(key: str, value: Any, *, all_of: bool) -> Q:
    if not isinstance(value, list):
        raise InputError(f"{key} takes a list of queries")
    if not value:
        return Q() if all_of else _NOTHING
    combined: Q | None = None
    for item in value:
        q = predicate_q(item)
        combined = q if combined is None else (combined & q if all_of else combined | q)
    return combined


def _relations(value: Any) -> Q:
    contains = value.get("$contains") if isinstance(value, dict) and len(value) == 1 else None
    if not isinstance(contains, dict) or not isinstance(contains.get("type"), str):
        raise InputError('relations takes {"$contains": {"type": ..., "targetRef": ...}}')
    target = contains.get("targetRef")
    if target is None:
        return relation_q(contains["type"], None)
    if isinstance(target, str):
        return relation_q(contains["type"], (target.lower(),))
    if isinstance(target, dict) and isinstance(target.get("$in"), list):
        return relation_q(contains["type"], tuple(str(ref).lower() for ref in target["$in"]))
    raise InputError("relations targetRef must be a string or {$in: [...]}")
