"""The filter and full-text terms of an entity (PostgreSQL's ``terms`` and ``text_terms`` columns).

The refresh writer computes them in Python (``catalog.search_index``); every other writer leaves
them to the trigger of migration 0021, which runs the database functions the generated columns
ran. Both must store the same terms, or a filter would find an entity by one path and not the other.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from catalog.formats.filter_syntax import parse_filters
from catalog.models import Entity
from catalog.search_index import build_search_document, filter_terms, text_terms
from catalog.services import refresh_location, register_location, validate_location_spec
from catalog.services.bulk import text_array_literal

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's term columns"),
]

# Keys and values that need escaping somewhere: in a term (``=``, ``\``), in an array literal
# (``"``, ``\``, ``,``, braces, spaces) and in COPY's text format (tab, newline, backslash).
AWKWARD = {
    "metadata.name": ["odd-one"],
    "metadata.title": ['say "hi", {twice}'],
    "metadata.annotations.a=b": ["x=y"],
    "metadata.annotations.back\\slash": ["c:\\path\\to"],
    "metadata.description": ["tab\there\nnewline"],
    "spec.profile.displayname": ["Zoë Ångström"],
    "metadata.tags": ["a", "b b", "NULL", ""],
    "spec.empty": [],
}

ODD = """
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: odd-one
  title: 'say "hi", {twice}'
  description: "tab\\there and a back\\\\slash"
  tags: [kotlin, "null"]
  annotations:
    example.com/a: "x=y"
    example.com/quote: 'a "quoted", value'
spec: {type: service, lifecycle: production, owner: team-a, "odd=key\\\\": "v"}
"""


def database_terms(search: dict) -> tuple[list[str], str]:
    with connection.cursor() as cursor:
        document = json.dumps(search)
        cursor.execute("SELECT catalog_search_terms(%s::jsonb), catalog_text_terms(%s::jsonb)", [document, document])
        terms, text = cursor.fetchone()
    return terms, text


def stored_terms(ref: str) -> tuple[list[str], str, list[str], str]:
    """The stored columns of ``ref``, and what the database functions make of its search document."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT terms, text_terms, catalog_search_terms(search), catalog_text_terms(search) "
            "FROM catalog_entity WHERE ref = %s",
            [ref],
        )
        return cursor.fetchone()


def test_python_terms_equal_the_database_functions_for_awkward_keys_and_values():
    for search in (AWKWARD, {}, {"metadata.name": ["plain"]}):
        terms, text = database_terms(search)
        assert sorted(filter_terms(search)) == sorted(terms)
        assert text_terms(search) == text


def test_the_array_literal_reads_back_as_the_same_terms():
    terms = filter_terms(AWKWARD)
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [text_array_literal(terms)])
        assert cursor.fetchone()[0] == terms


@pytest.mark.parametrize(
    "terms",
    [
        [],
        ["kind", "kind=component", "metadata.tags=b b", "spec.x={a,b}", ""],  # nothing to escape
        ["plain", 'one "quote"'],  # one element to escape: every element takes the escaping path
    ],
)
def test_array_literals_with_and_without_escapes_read_back(terms):
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [text_array_literal(terms)])
        assert cursor.fetchone()[0] == terms


def test_a_refresh_stores_the_terms_the_functions_compute(write_file):
    refresh_location(register_location(validate_location_spec("file", str(write_file("c.yaml", ODD))), trusted=True))

    terms, text, expected_terms, expected_text = stored_terms("component:default/odd-one")
    assert sorted(terms) == sorted(expected_terms) and text == expected_text
    assert 'metadata.annotations.example.com/quote=a "quoted", value' in terms
    assert "spec.odd\\=key\\\\=v" in terms  # the key's "=" and "\\" escaped
    # Found through the terms column.
    for filters in (["metadata.tags=null"], ["kind=component,metadata.tags=kotlin"]):
        assert list(Entity.objects.matching(parse_filters(filters)).values_list("name", flat=True)) == ["odd-one"]


def test_a_changed_file_rewrites_the_terms(write_file):
    path = write_file("c.yaml", ODD)
    location = register_location(validate_location_spec("file", str(path)), trusted=True)
    refresh_location(location)
    path.write_text(ODD.replace("tags: [kotlin", "tags: [scala"))
    refresh_location(location)

    terms, _, expected_terms, _ = stored_terms("component:default/odd-one")
    assert sorted(terms) == sorted(expected_terms)
    assert "metadata.tags=scala" in terms and "metadata.tags=kotlin" not in terms


def test_the_trigger_fills_the_terms_of_an_orm_write_and_follows_its_search_changes(write_file):
    refresh_location(register_location(validate_location_spec("file", str(write_file("c.yaml", ODD))), trusted=True))
    template = Entity.objects.get(ref="component:default/odd-one")
    body = {**template.body, "metadata": {**template.body["metadata"], "name": "made-by-orm"}}
    Entity.objects.create(
        ref="component:default/made-by-orm",
        kind="Component",
        namespace="default",
        name="made-by-orm",
        body=body,
        search=build_search_document(body),
        location=template.location,
        location_key=template.location_key,
        content_hash="x",
    )
    terms, text, expected_terms, expected_text = stored_terms("component:default/made-by-orm")
    assert sorted(terms) == sorted(expected_terms) and "metadata.name=made-by-orm" in terms
    assert text == expected_text and text.startswith("made-by-orm\n")

    entity = Entity.objects.get(ref="component:default/made-by-orm")
    entity.search = {**entity.search, "metadata.tags": ["renamed"]}
    entity.save(update_fields=["search"])
    terms, *_ = stored_terms("component:default/made-by-orm")
    assert "metadata.tags=renamed" in terms and "metadata.tags=kotlin" not in terms

    # A write that leaves search alone leaves the terms alone.
    Entity.objects.filter(pk=entity.pk).update(content_hash="y")
    assert stored_terms("component:default/made-by-orm")[0] == terms
