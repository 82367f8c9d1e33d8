"""A GIN index on ``Entity.search`` on PostgreSQL: every field filter is a jsonb ``@>`` or ``?`` test.

SQLite has no such index; there the filters scan, which is fine at laptop sizes.
"""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS catalog_entity_search_gin ON catalog_entity USING gin (search)"
DROP = "DROP INDEX IF EXISTS catalog_entity_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
