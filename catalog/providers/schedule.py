"""A provider's ``schedule`` as Backstage's app-config writes it.

``frequency``, ``timeout`` and ``initialDelay`` are each an ISO 8601 duration (``PT30M``, ``P1D``) or
a mapping of units (``{minutes: 30}``, ``{hours: 1, minutes: 30}``), Backstage's ``HumanDuration``.
Cron frequencies are refused with a clear error rather than silently run at some other pace.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .base import Schedule

# Backstage's defaults when a provider's schedule leaves them out are the provider's own; these are
# Greenroom's for every provider: an hourly read, killed after fifteen minutes.
DEFAULT_FREQUENCY_SECONDS = 3600.0
DEFAULT_TIMEOUT_SECONDS = 900.0

_UNIT_SECONDS = {
    "years": 365 * 86400.0,
    "months": 30 * 86400.0,
    "weeks": 7 * 86400.0,
    "days": 86400.0,
    "hours": 3600.0,
    "minutes": 60.0,
    "seconds": 1.0,
    "milliseconds": 0.001,
}
_ISO_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+(?:\.\d+)?)Y)?(?:(?P<months>\d+(?:\.\d+)?)M)?(?:(?P<weeks>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def duration_seconds(value: Any, *, path: str) -> float:
    """Seconds in an ISO 8601 duration string or a ``{unit: N}`` mapping; ``ValueError`` names ``path``."""
    if isinstance(value, str):
        match = _ISO_DURATION.match(value.strip().upper())
        if match is None:
            raise ValueError(f"{path}: {value[:80]!r} is not an ISO 8601 duration such as PT30M")
        seconds = sum(float(amount) * _UNIT_SECONDS[unit] for unit, amount in match.groupdict().items() if amount)
    elif isinstance(value, Mapping):
        if "cron" in value:
            raise ValueError(f"{path}: cron schedules are not supported; give a duration such as {{minutes: 30}}")
        unknown = sorted(str(key) for key in value if key not in _UNIT_SECONDS)
        if unknown or not value:
            raise ValueError(f"{path}: use units {', '.join(_UNIT_SECONDS)}; not {', '.join(unknown) or 'nothing'}")
        seconds = 0.0
        for unit, amount in value.items():
            if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
                raise ValueError(f"{path}.{unit}: must be a number of at least 0, not {amount!r}")
            seconds += float(amount) * _UNIT_SECONDS[unit]
    else:
        raise ValueError(f"{path}: must be an ISO 8601 duration or a mapping such as {{minutes: 30}}")
    if seconds <= 0 and not path.endswith("initialDelay"):
        raise ValueError(f"{path}: must be longer than zero")
    return seconds


def schedule_from_config(value: Any, *, path: str) -> Schedule:
    """The :class:`Schedule` of a provider entry's ``schedule`` value (``None``: the defaults)."""
    if value is None:
        return Schedule(DEFAULT_FREQUENCY_SECONDS, DEFAULT_TIMEOUT_SECONDS)
    if not isinstance(value, Mapping):
        raise ValueError(f"{path}: must be a mapping with frequency and timeout")
    unknown = sorted(str(key) for key in value if key not in ("frequency", "timeout", "initialDelay", "scope"))
    if unknown:
        raise ValueError(f"{path}: unknown key {unknown[0]!r}; use frequency, timeout, initialDelay")
    frequency = (
        duration_seconds(value["frequency"], path=f"{path}.frequency")
        if "frequency" in value
        else DEFAULT_FREQUENCY_SECONDS
    )
    timeout = (
        duration_seconds(value["timeout"], path=f"{path}.timeout")
        if "timeout" in value
        else min(DEFAULT_TIMEOUT_SECONDS, frequency)
    )
    delay = duration_seconds(value["initialDelay"], path=f"{path}.initialDelay") if "initialDelay" in value else 0.0
    return Schedule(frequency_seconds=frequency, timeout_seconds=timeout, initial_delay_seconds=delay)
