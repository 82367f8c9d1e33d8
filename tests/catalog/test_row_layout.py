"""The entity table's row layout on PostgreSQL: short columns stay in the row, large JSON goes out.

A component with many tags, links and annotations has a filter-terms array of a few kilobytes. If
PostgreSQL moved its ``ref``, ``kind`` or ``content_hash`` out of line to make the row fit (as it did
while those columns were EXTENDED), every filter, sort and refresh comparison would read the TOAST
table; the buffers an ``EXPLAIN (ANALYZE, BUFFERS)`` reports say which happened.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection

from catalog.models import Entity
from catalog.services import statistics
from tests.catalog.conftest import load_catalog_file

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row layout")

TAGS = ", ".join(f"tag-{index:03d}" for index in range(120))
ANNOTATIONS = "\n".join(f"    example.com/annotation-{index:03d}: value-{index:03d}" for index in range(60))
WIDE_COMPONENT = f"""apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: wide-service
  tags: [{TAGS}]
  annotations:
{ANNOTATIONS}
spec: {{type: service, lifecycle: production, owner: team-a}}
"""


def touched(expression: str, entity_id) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT {expression} FROM catalog_entity WHERE id = %s",
            [entity_id],
        )
        (document,) = cursor.fetchone()
    plan = (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]
    return plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]


def test_short_columns_of_a_wide_entity_stay_in_the_row(db, write_file):
    load_catalog_file(write_file, "catalog.yaml", WIDE_COMPONENT)
    entity = Entity.objects.get(name="wide-service")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_column_size(terms) FROM catalog_entity WHERE id = %s", [entity.pk])
        (terms_size,) = cursor.fetchone()
    assert terms_size > 2000, "the fixture must be wide enough to need TOAST"
    touched("id", entity.pk)  # the first read may set hint bits: not part of the comparison
    baseline = touched("id", entity.pk)
    for column in ("ref", "kind", "name", "content_hash", "location_key", "etag"):
        # A value moved out of the row costs the TOAST index and table pages on top of the row's.
        assert touched(f"{column} || ''", entity.pk) <= baseline, f"{column} was moved out of the row"
    # The body is large and does go out of line: reading it costs the TOAST table's pages.
    assert touched("body::text", entity.pk) > baseline


@pytest.mark.django_db(transaction=True)
def test_the_statistics_job_vacuums_so_pages_come_from_the_index_alone(write_file):
    load_catalog_file(write_file, "catalog.yaml", WIDE_COMPONENT)

    def all_visible_pages() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relallvisible FROM pg_class WHERE relname = 'catalog_entity'")
            return cursor.fetchone()[0]

    assert all_visible_pages() == 0
    statistics.refresh_planner_statistics()
    assert all_visible_pages() > 0
