"""Filter terms on PostgreSQL: a generated ``text[]`` column the planner has statistics for.

Every field filter used to be a jsonb ``@>`` test on ``search``. PostgreSQL keeps no useful
statistics for containment in a jsonb document, so it guessed 1 % of rows for ``kind=component``
(really 72 %) and 0.01 % for a tag (really 7 %), and answered a page of 50 by reading and sorting
every match. ``terms`` holds the same document as flat strings (``key`` for "the key exists",
``key=value`` for each value; ``=`` and ``\\`` in keys escaped), and for arrays ANALYZE counts how
often each element occurs. With those counts the planner walks the index of the requested order
and stops after 50 matches when a filter matches many rows, and reads the few matches through the
GIN index when it matches few.

``terms`` is kept inline in the row (``STORAGE MAIN``, lz4), so checking it while walking an index
costs a decompression, not a TOAST fetch. PostgreSQL computes it from ``search`` on every write;
Django never reads or writes it. The sort-value indexes serve ``orderField`` on the three fields
the catalog lists are ordered by, in the cursor's order (value, id). SQLite has none of this and
keeps filtering ``search`` with ``json_each``.
"""

from django.db import migrations

# Must stay equal to catalog.filtering.search_term(), which builds the terms a filter asks for.
TERMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION catalog_search_terms(doc jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(t.term), '{}')
  FROM jsonb_each(doc) AS e(key, value),
       LATERAL (SELECT replace(replace(e.key, '\', '\\'), '=', '\=') AS k) AS esc,
       LATERAL (
         SELECT esc.k
         UNION ALL
         SELECT esc.k || '=' || v
         FROM jsonb_array_elements_text(
           CASE jsonb_typeof(e.value) WHEN 'array' THEN e.value ELSE '[]'::jsonb END
         ) AS v
       ) AS t(term)
$$
"""

# The fields catalog lists are ordered by (orderField), each with the id as the cursor's tiebreak;
# each once alone and once after the kind, the filter nearly every list has (a field's values can
# belong to one kind only: walking every spec.type of APIs to find components would read thousands).
SORT_KEYS = {"name": "metadata.name", "title": "metadata.title", "type": "spec.type"}

FORWARD = [
    TERMS_FUNCTION,
    # One statement, so the rewrite that fills the column already stores it inline. Up to 10,000
    # most common terms are tracked (the default is 1,000): owners and tags of a large catalog.
    "ALTER TABLE catalog_entity ADD COLUMN terms text[] COMPRESSION lz4 "
    "GENERATED ALWAYS AS (catalog_search_terms(search)) STORED, "
    "ALTER COLUMN terms SET STORAGE MAIN, ALTER COLUMN terms SET STATISTICS 1000",
    "CREATE INDEX catalog_entity_terms_gin ON catalog_entity USING gin (terms)",
    "DROP INDEX IF EXISTS catalog_entity_search_gin",
    *(
        f"CREATE INDEX catalog_entity_sort_{name} ON catalog_entity (((search -> '{key}') ->> 0), id)"
        for name, key in SORT_KEYS.items()
    ),
    *(
        f"CREATE INDEX catalog_entity_kind_sort_{name} ON catalog_entity (kind, ((search -> '{key}') ->> 0), id)"
        for name, key in SORT_KEYS.items()
    ),
    # A kind's entities in the default order (by id): the first page of every kind filter.
    "CREATE INDEX catalog_entity_kind_id ON catalog_entity (kind, id)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalog_entity_kind_id",
    *(f"DROP INDEX IF EXISTS catalog_entity_kind_sort_{name}" for name in SORT_KEYS),
    *(f"DROP INDEX IF EXISTS catalog_entity_sort_{name}" for name in SORT_KEYS),
    "CREATE INDEX IF NOT EXISTS catalog_entity_search_gin ON catalog_entity USING gin (search)",
    "ALTER TABLE catalog_entity DROP COLUMN IF EXISTS terms",
    "DROP FUNCTION IF EXISTS catalog_search_terms(jsonb)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0013_location_refresh_backoff")]

    operations = [migrations.RunPython(forward, backward)]
