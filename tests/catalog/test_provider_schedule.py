"""Provider schedules as Backstage writes them: ISO 8601 durations and {unit: N} mappings."""

from __future__ import annotations

import pytest

from catalog.providers.base import Schedule
from catalog.providers.schedule import duration_seconds, schedule_from_config


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("PT30M", 1800),
        ("P1D", 86400),
        ("PT1H30M", 5400),
        ("pt0.5s", 0.5),
        ({"minutes": 30}, 1800),
        ({"hours": 1, "minutes": 30}, 5400),
        ({"milliseconds": 250}, 0.25),
    ],
)
def test_reads_durations(value, seconds):
    assert duration_seconds(value, path="x.frequency") == seconds


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("30 minutes", "x.frequency: '30 minutes' is not an ISO 8601 duration such as PT30M"),
        ("P", "x.frequency: 'P' is not an ISO 8601 duration such as PT30M"),
        ({"minutes": -1}, "x.frequency.minutes: must be a number of at least 0, not -1"),
        (
            {"fortnights": 1},
            "x.frequency: use units years, months, weeks, days, hours, minutes, seconds, milliseconds; not fortnights",
        ),
        (
            {"cron": "*/5 * * * *"},
            "x.frequency: cron schedules are not supported; give a duration such as {minutes: 30}",
        ),
        ({"minutes": 0}, "x.frequency: must be longer than zero"),
        (30, "x.frequency: must be an ISO 8601 duration or a mapping such as {minutes: 30}"),
    ],
)
def test_refuses_bad_durations_naming_the_path(value, message):
    with pytest.raises(ValueError) as refused:
        duration_seconds(value, path="x.frequency")
    assert str(refused.value) == message


def test_schedule_defaults_and_full_shape():
    assert schedule_from_config(None, path="s") == Schedule(3600.0, 900.0)
    assert schedule_from_config({"frequency": {"minutes": 5}}, path="s") == Schedule(300.0, 300.0)
    full = {"frequency": "PT1H", "timeout": {"minutes": 3}, "initialDelay": {"seconds": 15}}
    assert schedule_from_config(full, path="s") == Schedule(3600.0, 180.0, 15.0)


def test_schedule_refuses_unknown_keys():
    with pytest.raises(ValueError, match=r"^s: unknown key 'every'; use frequency, timeout, initialDelay$"):
        schedule_from_config({"every": "PT1H"}, path="s")
