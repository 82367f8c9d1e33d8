"""Sort-value indexes for the explorer's columns: lifecycle, owner, system, first tag, description.

Each is ``(kind, first value at the key in the search document, id)`` (owner and system: the
name part of that value), spelled as ``catalog.filtersets`` compiles its sorts, so a page of one kind sorted by any column walks an index
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
# Owner and system are refs, sorted by their name part (catalog.filtersets.NameSortValue).
NAME_SORTED = ("owner", "system")


def _expression(name: str, key: str) -> str:
    value = f"((search -> '{key}') ->> 0)"
    if name not in NAME_SORTED:
        return value
    slashed = f"replace({value}, ':', '/')"
    return f"(replace({slashed}, rtrim({slashed}, replace({slashed}, '/', '')), ''))"


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
                f"ON catalog_entity (kind, {_expression(name, key)}, id)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in SORT_KEYS:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS catalog_entity_kind_sort_{name}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [("catalog", "0019_provider_state")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
