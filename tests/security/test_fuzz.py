"""Property-based tests: hostile input never raises an unhandled exception and never changes what is stored."""

from __future__ import annotations

import base64
import contextlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from catalog.api.cursors import encode_cursor
from catalog.formats.filter_syntax import FilterSyntaxError, parse_filter
from catalog.formats.refs import InvalidEntityRef, parse_entity_ref
from catalog.formats.validation.entity import validate_entity
from catalog.formats.yaml_reader import YamlFileError, parse_documents
from catalog.models import Entity

# Bounded so the whole file runs in seconds; raise max_examples locally to search harder.
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

YAML_PIECES = st.sampled_from(
    ["a: ", "- ", "&x ", "*x", "!!python/name:os.system ", "[", "]", "{", "}", "\n", "  ", "---\n", '"\\0"', "<<: ",
     "!ENV ", "? ", ": ", "|\n  ", "\ud7ff", "\x00", "kind: Component\n", "metadata:\n  name: x\n", "'", "#"]
)  # fmt: skip
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(st.lists(YAML_PIECES, max_size=40).map("".join) | st.binary(max_size=200))
def test_the_yaml_reader_only_ever_refuses_cleanly(text):
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    try:
        documents = parse_documents(data, source="fuzz.yaml", max_nodes=2_000, max_depth=32)
    except YamlFileError as error:
        assert str(error).startswith("fuzz.yaml")
        return
    for document in documents:
        assert (document.data is None) != (document.error is None)


@FUZZ
@given(JSON_VALUES | st.fixed_dictionaries({"apiVersion": JSON_VALUES, "kind": JSON_VALUES, "metadata": JSON_VALUES}))
def test_entity_validation_returns_errors_never_raises(entity):
    errors = validate_entity(entity)
    assert isinstance(errors, list)


@FUZZ
@given(st.text(max_size=60), st.none() | st.text(max_size=10))
def test_entity_refs_parse_or_refuse(ref, default_kind):
    try:
        parsed = parse_entity_ref(ref, default_kind=default_kind, default_namespace="default")
    except InvalidEntityRef:
        return
    assert parsed is not None


@FUZZ
@given(st.text(alphabet=st.sampled_from("kind=metadata.name,spec.type!=-*\x00é ="), max_size=40) | st.text(max_size=40))
def test_filters_parse_or_refuse(expression):
    with contextlib.suppress(FilterSyntaxError):
        parse_filter(expression)


@pytest.fixture
def api(django_user_model) -> APIClient:
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_user("fuzzer"))
    return client


_CURSORS = (
    st.text(max_size=40)
    | st.binary(max_size=40).map(lambda raw: base64.urlsafe_b64encode(raw).decode())
    | st.dictionaries(st.sampled_from(["v", "after", "filter", "order", "limit", "total", "fields"]), JSON_VALUES).map(
        lambda data: encode_cursor({**data, "v": 1})
    )
)


@pytest.mark.django_db
@FUZZ
@given(cursor=_CURSORS, filter_text=st.text(max_size=30))
def test_cursors_and_filters_through_the_api_never_fail_the_server(api, cursor, filter_text):
    before = Entity.objects.count()
    for params in ({"cursor": cursor}, {"filter": filter_text}, {"cursor": cursor, "limit": "5"}):
        response = api.get("/api/catalog/entities/by-query", params)
        assert response.status_code in (200, 400), (params, response.status_code)
        if response.status_code == 400:
            assert response.json()["error"]["name"] == "InputError"
    assert Entity.objects.count() == before


@pytest.mark.django_db
@FUZZ
@given(body=JSON_VALUES)
def test_hostile_location_bodies_store_nothing(api, body):
    from catalog.models import Location

    response = api.post("/api/catalog/locations", json.dumps(body), content_type="application/json")
    assert response.status_code in (201, 400, 403, 409), response.status_code
    if response.status_code != 201:
        assert Location.objects.count() == 0
