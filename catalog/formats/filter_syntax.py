"""Backstage's ``filter`` query syntax, parsed into a structure the queryset can apply.

``filter=kind=component,spec.type=service`` ANDs its conditions; the same key twice inside one
value ORs its values; several ``filter`` parameters are ORed; a key alone means "exists".
Keys and values compare case-insensitively.
"""

from __future__ import annotations

from dataclasses import dataclass


class FilterSyntaxError(ValueError):
    """A filter expression that cannot be read; the message quotes the offending part."""


@dataclass(frozen=True)
class Condition:
    """``key`` has one of ``values``; ``values`` of None means the key only has to exist."""

    key: str
    values: tuple[str, ...] | None


# One filter parameter: conditions ANDed together.
FilterClause = tuple[Condition, ...]


def parse_filter(expression: str) -> FilterClause:
    """Parse one ``filter`` value such as ``kind=component,spec.lifecycle=production``."""
    by_key: dict[str, list[str] | None] = {}
    for raw in expression.split(","):
        part = raw.strip()
        if not part:
            continue
        key, has_value, value = part.partition("=")
        key = key.strip().lower()
        if not key:
            raise FilterSyntaxError(f"invalid filter statement {part!r}: the key is empty")
        if not has_value:
            by_key.setdefault(key, None)
            continue
        values = by_key.get(key)
        if values is None:
            values = by_key[key] = []
        values.append(value.strip().lower())
    if not by_key:
        raise FilterSyntaxError(f"invalid filter {expression!r}: it has no statements")
    return tuple(
        Condition(key, tuple(dict.fromkeys(values)) if values is not None else None) for key, values in by_key.items()
    )


def parse_filters(expressions: list[str]) -> list[FilterClause]:
    """Parse repeated ``filter`` parameters; the result is ORed clause by clause."""
    for expression in expressions:
        if isinstance(expression, str) and "\x00" in expression:
            # PostgreSQL cannot hold or compare a NUL character: refused here rather than failing there.
            raise FilterSyntaxError(f"invalid filter {expression!r}: it contains a NUL character")
    return [parse_filter(expression) for expression in expressions]
