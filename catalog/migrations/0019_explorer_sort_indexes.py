"""Sort-value indexes for the explorer's columns: lifecycle, owner, system, first tag, description.

Each is ``(kind, first value at the key in the search document, id)``, spelled as
``catalog.filtering.SortValue`` compiles, so a page of one kind sorted by any column walks an index
and stops after 50 rows instead of sorting every entity of the kind (the explorer opens on
Components). Built ``CONCURRENTLY``: reads and writes go on while they build. SQLite needs none:
its catalogs are small, and it sorts them.
"""

from django.db import migrations

SORT_KEYS = {
    "lifecycle": "spec.lifecycle",
    "owner": "spec.owner",
    "system": "spec.system",
    "tags": "metadata.tags",
    "description": "metadata.description",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, key in SORT_KEYS.items():
            index = f"catalog_entity_kind_sort_{name}"
            # A concurrent build that failed half-way leaves an invalid index behind: rebuild it.
            cursor.execute(
                "SELECT NOT i.indisvalid FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s",
                [index],
            )
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index}")
            cursor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index} "
                f"ON catalog_entity (kind, ((search -> '{key}') ->> 0), id)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in SORT_KEYS:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS catalog_entity_kind_sort_{name}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("catalog", "0018_relation_owned_by_index")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
