"""The API's JSON renderer: orjson's speed, DRF's output."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from portal.api.renderers import FastJSONRenderer

SAMPLE = {
    "uid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "at": datetime(2026, 11, 21, 8, 30, 5, 123456, tzinfo=UTC),
    "name": "café \u2028 line \u2029 para",
    "nested": [{"a": 1, "b": 2.5, "c": None, "d": True}],
}


def test_output_is_drfs_output_for_the_types_the_api_returns():
    assert FastJSONRenderer().render(SAMPLE) == JSONRenderer().render(SAMPLE)


def test_javascript_line_separators_are_escaped_as_drf_does():
    assert b"\\u2028" in FastJSONRenderer().render(SAMPLE) and b"\xe2\x80\xa8" not in FastJSONRenderer().render(SAMPLE)


def test_types_orjson_does_not_know_fall_back_to_drfs_encoder():
    data = {"message": gettext_lazy("Not found."), "tags": {"x"}, "cost": Decimal("1.50")}

    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_indented_output_is_left_to_drf():
    rendered = FastJSONRenderer().render({"a": [1]}, "application/json; indent=2")

    assert rendered == JSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert b"\n" in rendered


def test_nothing_renders_as_an_empty_body():
    assert FastJSONRenderer().render(None) == b""
