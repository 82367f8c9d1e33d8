"""Reading one provider entry of ``catalog.providers``: typed values, each error naming its key path.

Keys outside Backstage's schema for the provider are refused (a misspelt ``filter:`` would otherwise
widen discovery to every repository); keys Backstage knows but Greenroom does not act on are reported
through :meth:`Entry.ignored_keys` so a run can say so in its notes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .base import Schedule


class Entry:
    """One mapping in the config tree and the key path it sits at (``catalog.providers.github.main``)."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"{path} must be a mapping, got {type(data).__name__}")
        self.data, self.path = data, path

    def check_keys(self, known: Iterable[str], unsupported: Iterable[str] = ()) -> list[str]:
        """Refuse unknown keys; answer the present keys Backstage has that Greenroom ignores."""
        known, unsupported = set(known), set(unsupported)
        for key in self.data:
            if key not in known and key not in unsupported:
                raise ValueError(f"{self.path}.{key} is not a known key (known: {', '.join(sorted(known))})")
        return sorted(f"{self.path}.{key}" for key in self.data if key in unsupported)

    def child(self, key: str) -> Entry:
        return Entry(self.data.get(key) or {}, f"{self.path}.{key}")

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise ValueError(f"{self.path}.{key} is required")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"{self.path}.{key} must be a string")
        return str(value).strip()

    def required_text(self, key: str) -> str:
        value = self.text(key, required=True)
        assert value is not None
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise ValueError(f"{self.path}.{key} must be true or false")
        return value

    def strings(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            raise ValueError(f"{self.path}.{key} must be a list of strings")
        return list(value)

    def pattern(self, key: str, *, anchored: bool) -> re.Pattern[str] | None:
        """A regular expression; ``anchored`` wraps it in ``^…$`` as Backstage's GitHub provider does."""
        source = self.text(key)
        if source is None:
            return None
        if anchored:
            source = ("" if source.startswith("^") else "^") + source + ("" if source.endswith("$") else "$")
        try:
            return re.compile(source)
        except re.error as error:
            raise ValueError(f"{self.path}.{key} is not a valid regular expression: {error}") from None

    def schedule(self) -> Schedule | None:
        if self.data.get("schedule") is None:
            return None
        return schedule_from_config(self.data["schedule"], f"{self.path}.schedule")


_UNIT_SECONDS = {
    "years": 365 * 86400,
    "months": 30 * 86400,
    "weeks": 7 * 86400,
    "days": 86400,
    "hours": 3600,
    "minutes": 60,
    "seconds": 1,
    "milliseconds": 0.001,
}
_ISO_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+(?:\.\d+)?)Y)?(?:(?P<months>\d+(?:\.\d+)?)M)?(?:(?P<weeks>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def duration_seconds(value: Any, path: str) -> float:
    """Backstage's duration forms: ``{minutes: 30}`` (any of years…milliseconds) or ISO 8601 ``PT30M``."""
    if isinstance(value, dict):
        if "cron" in value:
            raise ValueError(f"{path}: cron schedules are not supported; give a duration such as {{minutes: 30}}")
        unknown = sorted(set(value) - set(_UNIT_SECONDS))
        if unknown or not value:
            raise ValueError(f"{path} must be a duration such as {{minutes: 30}} (unknown: {', '.join(unknown)})")
        total = 0.0
        for unit, amount in value.items():
            if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
                raise ValueError(f"{path}.{unit} must be a non-negative number")
            total += amount * _UNIT_SECONDS[unit]
        return total
    if isinstance(value, str):
        match = _ISO_DURATION.match(value.strip().upper())
        if match:
            return sum(float(amount) * _UNIT_SECONDS[unit] for unit, amount in match.groupdict().items() if amount)
    raise ValueError(f"{path} must be a duration such as {{minutes: 30}} or PT30M, got {value!r}")


def schedule_from_config(value: Any, path: str) -> Schedule:
    """Backstage's ``schedule: {frequency, timeout, initialDelay?}``."""
    entry = Entry(value, path)
    entry.check_keys({"frequency", "timeout", "initialDelay", "scope"})
    for key in ("frequency", "timeout"):
        if entry.data.get(key) is None:
            raise ValueError(f"{path}.{key} is required")
    frequency = duration_seconds(entry.data["frequency"], f"{path}.frequency")
    if frequency <= 0:
        raise ValueError(f"{path}.frequency must be longer than zero")
    timeout = duration_seconds(entry.data["timeout"], f"{path}.timeout")
    delay = entry.data.get("initialDelay")
    initial = duration_seconds(delay, f"{path}.initialDelay") if delay is not None else 0.0
    return Schedule(frequency, timeout, initial)
