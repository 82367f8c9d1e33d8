"""Provider config values: durations and schedules in Backstage's forms, Link headers."""

from __future__ import annotations

from email.message import Message

import pytest

from catalog.providers.base import Schedule
from catalog.providers.config_values import duration_seconds, schedule_from_config
from catalog.providers.forge_http import next_link


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ({"minutes": 30}, 1800),
        ({"hours": 1, "minutes": 30, "seconds": 5}, 5405),
        ({"milliseconds": 1500}, 1.5),
        ({"days": 1}, 86400),
        ("PT30M", 1800),
        ("P1DT2H", 93600),
        ("pt1.5h", 5400),
        ("P2W", 1209600),
    ],
)
def test_reads_backstage_duration_forms(value, seconds):
    assert duration_seconds(value, "x") == seconds


@pytest.mark.parametrize("value", ["PT", "P", "30m", "", {"minute": 3}, {}, {"minutes": "3"}, {"minutes": True}, 30])
def test_refuses_what_is_no_duration(value):
    with pytest.raises(ValueError, match=r"^x"):
        duration_seconds(value, "x")


def test_reads_a_schedule_with_initial_delay():
    value = {"frequency": {"minutes": 30}, "timeout": "PT3M", "initialDelay": {"seconds": 15}, "scope": "global"}

    assert schedule_from_config(value, "s") == Schedule(1800, 180, 15)


def test_refuses_a_zero_frequency():
    with pytest.raises(ValueError, match=r"^s\.frequency must be longer than zero$"):
        schedule_from_config({"frequency": {"minutes": 0}, "timeout": "PT1M"}, "s")


def test_refuses_unknown_schedule_keys():
    with pytest.raises(ValueError, match=r"^s\.every is not a known key"):
        schedule_from_config({"every": "PT1M", "frequency": "PT1M", "timeout": "PT1M"}, "s")


def test_finds_the_next_link_among_others():
    headers = Message()
    headers["Link"] = '<https://api.test/x?page=1>; rel="prev", <https://api.test/x?page=3>; rel="next"'

    assert next_link(headers) == "https://api.test/x?page=3"
    assert next_link(Message()) is None
