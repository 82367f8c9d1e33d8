"""Filter and full-text terms written by the catalog's bulk writers, filled by a trigger otherwise.

``terms`` (0014) and ``text_terms`` (0016) were generated columns: PostgreSQL ran the two SQL
functions on every row written, about 200 µs a row on two cores, a third of the time a large
ingestion spends in COPY. They become plain columns (``DROP EXPRESSION`` keeps every stored value,
no rewrite). The refresh writer computes them in Python as it builds the row
(``catalog.search_index.filter_terms``/``text_terms``, tested equal to the functions). Every other
writer (the ORM, an older version serving during an upgrade) leaves them out, and the trigger
computes them with the same functions as before: on insert when they are NULL, on an update of
``search`` when ``terms`` was left as it was (a changed search document always changes its terms,
so a writer that computed them is never overridden). SQLite has none of this.
"""

from django.db import migrations

FILL_FUNCTION = r"""
CREATE OR REPLACE FUNCTION catalog_entity_fill_terms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.terms IS NULL THEN NEW.terms := catalog_search_terms(NEW.search); END IF;
    IF NEW.text_terms IS NULL THEN NEW.text_terms := catalog_text_terms(NEW.search); END IF;
  ELSIF NEW.search IS DISTINCT FROM OLD.search AND NEW.terms IS NOT DISTINCT FROM OLD.terms THEN
    NEW.terms := catalog_search_terms(NEW.search);
    NEW.text_terms := catalog_text_terms(NEW.search);
  END IF;
  RETURN NEW;
END
$$
"""

FORWARD = [
    FILL_FUNCTION,
    "ALTER TABLE catalog_entity ALTER COLUMN terms DROP EXPRESSION, ALTER COLUMN text_terms DROP EXPRESSION",
    "CREATE TRIGGER catalog_entity_fill_terms BEFORE INSERT OR UPDATE OF search ON catalog_entity "
    "FOR EACH ROW EXECUTE FUNCTION catalog_entity_fill_terms()",
]
# Back to generated columns: they cannot be given an expression again, so they are made anew with
# their indexes and storage, as 0014 and 0016 made them.
BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_entity_fill_terms ON catalog_entity",
    "DROP FUNCTION IF EXISTS catalog_entity_fill_terms()",
    "ALTER TABLE catalog_entity DROP COLUMN terms, DROP COLUMN text_terms",
    "ALTER TABLE catalog_entity ADD COLUMN terms text[] COMPRESSION lz4 "
    "GENERATED ALWAYS AS (catalog_search_terms(search)) STORED, "
    "ALTER COLUMN terms SET STORAGE MAIN, ALTER COLUMN terms SET STATISTICS 1000, "
    "ADD COLUMN text_terms text GENERATED ALWAYS AS (catalog_text_terms(search)) STORED",
    "CREATE INDEX catalog_entity_terms_gin ON catalog_entity USING gin (terms)",
    "CREATE INDEX catalog_entity_text_trgm ON catalog_entity USING gin (text_terms gin_trgm_ops)",
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
    dependencies = [("catalog", "0020_explorer_sort_indexes")]

    operations = [migrations.RunPython(forward, backward)]
