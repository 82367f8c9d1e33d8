"""Big descriptor files under the default file limit: plain ones load, bombs are still refused.

The default ``CATALOG_MAX_FILE_BYTES`` is 256 MiB because files are parsed as a stream of documents;
what keeps a hostile file cheap is the per-document limits (nodes, expanded text, depth).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.formats.yaml_reader import MAX_DOCUMENT_TEXT_BYTES
from catalog.models import Entity, EntityHistory, Location
from catalog.services import refresh_location, register_location, validate_location_spec
from tests.conftest import component

DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024
OLD_DEFAULT = 4 * 1024 * 1024

NODE_BOMB = b"""apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: laughs
spec:
  type: service
  lifecycle: production
  owner: team-a
  a: &a [x, x, x, x, x, x, x, x, x, x]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
  i: [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def big_api(name: str, definition_lines: int) -> bytes:
    """An API entity whose definition is a block scalar of ``definition_lines`` 64-byte lines."""
    line = b"      " + b"openapi-line " * 4 + b"x" * 5 + b"\n"
    return (
        b"apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: " + name.encode() + b"\n"
        b"spec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition: |\n" + line * definition_lines
    )


def refreshed(path) -> Location:
    location = register_location(validate_location_spec("file", str(path)), trusted=True)
    refresh_location(location)
    location.refresh_from_db()
    return location


@pytest.mark.django_db
def test_a_12_mb_plain_file_loads_under_the_default_limit(settings, write_file):
    assert settings.CATALOG["MAX_FILE_BYTES"] == DEFAULT_MAX_FILE_BYTES
    data = b"---\n".join(big_api(f"api-{n}", 32 * 1024) for n in range(6))
    assert len(data) > 12 * 1024 * 1024 > OLD_DEFAULT
    path = write_file("org.yaml", data)

    location = refreshed(path)

    assert (location.status, location.errors) == (Location.Status.OK, [])
    stored = dict(Entity.objects.filter(kind="API").values_list("name", "body"))
    assert sorted(stored) == [f"api-{n}" for n in range(6)]
    assert len(stored["api-5"]["spec"]["definition"]) == 32 * 1024 * len(b"openapi-line " * 4 + b"x" * 5 + b"\n")
    assert EntityHistory.objects.filter(change=EntityHistory.Change.CREATED, entity_ref__startswith="api:").count() == 6


@pytest.mark.django_db
def test_a_billion_laughs_file_is_refused_under_the_default_limit_naming_the_file(write_file):
    path = write_file("laughs.yaml", component("fine").encode() + b"---\n" + NODE_BOMB)

    location = refreshed(path)

    assert location.status == Location.Status.ERROR
    assert list(Entity.objects.filter(kind="Component").values_list("name", flat=True)) == ["fine"]
    [error] = location.errors
    assert (error["location_key"], error["document"]) == (f"file:{path}", 1)
    assert "document expands to more than 200000 nodes through its aliases" in error["message"]


@pytest.mark.django_db
def test_a_string_bomb_is_refused_by_the_document_text_cap_not_twice_the_file_limit(write_file):
    string = b"y" * (1024 * 1024)
    bomb = (
        component("strings").encode() + b"  copies: &s " + string + b"\n  more: [" + b", ".join([b"*s"] * 40) + b"]\n"
    )
    path = write_file("strings.yaml", bomb)

    location = refreshed(path)

    assert location.status == Location.Status.ERROR
    assert not Entity.objects.filter(kind="Component").exists()
    [error] = location.errors
    assert error["location_key"] == f"file:{path}"
    expected = f"document expands to more than {MAX_DOCUMENT_TEXT_BYTES} bytes of text through its aliases"
    assert expected in error["message"]


@pytest.mark.django_db
def test_deep_nesting_is_refused_under_the_default_limit_naming_the_file(write_file):
    path = write_file("deep.yaml", component("fine").encode() + b"---\na: " + b"[" * 5000 + b"]" * 5000 + b"\n")

    location = refreshed(path)

    assert location.status == Location.Status.ERROR
    assert list(Entity.objects.filter(kind="Component").values_list("name", flat=True)) == ["fine"]
    [error] = location.errors
    assert (error["location_key"], error["document"]) == (f"file:{path}", 1)
    assert "nests deeper than 64 levels" in error["message"]


def changed_refresh_queries(write_file, count: int) -> int:
    path = write_file(f"many-{count}.yaml", "---\n".join(component(f"svc-{count}-{n}") for n in range(count)))
    location = refreshed(path)
    path.write_text("---\n".join(component(f"svc-{count}-{n}", owner="team-b") for n in range(count)))
    with CaptureQueriesContext(connection) as queries:
        refresh_location(location)
    changed = Entity.objects.filter(location=location, kind="Component", body__spec__owner="team-b").count()
    assert changed == count
    return len(queries)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite updates one row per query")
def test_a_changed_refresh_updates_stored_entities_in_a_fixed_number_of_queries(write_file):
    assert changed_refresh_queries(write_file, 4) == changed_refresh_queries(write_file, 8)
