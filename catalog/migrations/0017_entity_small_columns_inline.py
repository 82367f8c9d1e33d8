"""Small columns stay in the entity's row; only the large JSON documents go out of line (TOAST).

PostgreSQL moves a row's values out of line, largest first, until the row fits in about 2 KB, and it
takes STORAGE MAIN columns (``terms``, about 1.5 KB for a component) last. With every other column
left EXTENDED, a component's ``ref``, ``kind``, ``name`` and hashes were moved out one by one after
``body`` and ``search``, each a separate TOAST row: every filter on ``kind``, every sort on ``ref``
and every comparison of ``content_hash`` in a refresh then read the TOAST table (an ``offset`` page
at 13,800 entities read 665,000 buffers and took a second). As MAIN columns, the small values are
moved out only after ``body``, ``search`` and a compressed ``terms``, which never happens in
practice. ``VACUUM FULL`` rewrites the stored rows in the new layout (PostgreSQL only; a table lock
for the rewrite: docs/operations.md, Upgrades, "Row layout").
"""

from django.db import migrations

# Short text columns read by filters, sorts, cursors and refreshes.
INLINE_COLUMNS = (
    "ref",
    "kind",
    "namespace",
    "name",
    "title",
    "spec_type",
    "lifecycle",
    "parent_ref",
    "location_key",
    "content_hash",
    "source_digest",
    "etag",
    "text_terms",
)


def _set_storage(schema_editor, storage: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    changes = ", ".join(f"ALTER COLUMN {column} SET STORAGE {storage}" for column in INLINE_COLUMNS)
    schema_editor.execute(f"ALTER TABLE catalog_entity {changes}")
    # Outside a transaction (the migration is not atomic): rows are re-laid out as they are copied.
    schema_editor.execute("VACUUM FULL catalog_entity")
    schema_editor.execute("ANALYZE catalog_entity")


def forward(apps, schema_editor):
    _set_storage(schema_editor, "MAIN")


def backward(apps, schema_editor):
    _set_storage(schema_editor, "EXTENDED")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("catalog", "0016_entity_text_terms")]

    operations = [migrations.RunPython(forward, backward)]
