"""Full-text filters on PostgreSQL: the searchable values in one short column, trigram-indexed.

``fullTextFilterTerm`` is a substring match (``LIKE '%term%'``), which no B-tree serves: it read
every entity the other filters left. ``text_terms`` holds, one per line, the lowercase values of
the fields Backstage's clients search by default (``metadata.name``, ``metadata.title``,
``metadata.uid`` when nothing else is named, ``spec.profile.displayName``), exactly as the search
document holds them; a pg_trgm GIN index finds the rows containing the term, and the exact
per-field test runs on those only. Kept short on purpose: trigram-indexing every value of every
entity took longer than importing them. SQLite has none of this.
"""

from django.db import migrations

# Must list the keys of catalog.filtering.TEXT_KEYS.
TEXT_FUNCTION = r"""
CREATE OR REPLACE FUNCTION catalog_text_terms(doc jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(v, E'\n'), '')
  FROM unnest(ARRAY['metadata.name', 'metadata.title', 'metadata.uid', 'spec.profile.displayname']) AS k,
       jsonb_array_elements_text(
         CASE jsonb_typeof(doc -> k) WHEN 'array' THEN doc -> k ELSE '[]'::jsonb END
       ) AS v
$$
"""

FORWARD = [
    TEXT_FUNCTION,
    "ALTER TABLE catalog_entity ADD COLUMN text_terms text GENERATED ALWAYS AS (catalog_text_terms(search)) STORED",
    "CREATE INDEX catalog_entity_text_trgm ON catalog_entity USING gin (text_terms gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS catalog_entity_text_trgm",
    "ALTER TABLE catalog_entity DROP COLUMN IF EXISTS text_terms",
    "DROP FUNCTION IF EXISTS catalog_text_terms(jsonb)",
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
    # pg_trgm is created by portal's search migration.
    dependencies = [("catalog", "0015_entity_kind_ref_index"), ("portal", "0003_search_document")]

    operations = [migrations.RunPython(forward, backward)]
