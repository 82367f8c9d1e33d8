"""Compress the large JSON columns with lz4 on PostgreSQL (15+, when the server is built with it).

Entity pages read every body from TOAST storage; lz4 decompresses several times faster than the
default pglz. Rows written before this keep their old compression until rewritten.
"""

from django.db import DatabaseError, migrations, transaction

COLUMNS = {
    "catalog_entity": ("body", "search"),
    "catalog_entityhistory": ("body",),
    "catalog_entityrelations": ("relations",),
}


def use_lz4(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in COLUMNS.items():
        alterations = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION lz4" for column in columns)
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute(f"ALTER TABLE {table} {alterations}")
        except DatabaseError:
            # A server without lz4 keeps pglz: slower reads, same results.
            return


def use_default(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, columns in COLUMNS.items():
        alterations = ", ".join(f"ALTER COLUMN {column} SET COMPRESSION default" for column in columns)
        schema_editor.execute(f"ALTER TABLE {table} {alterations}")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_entity_title")]

    operations = [migrations.RunPython(use_lz4, use_default)]
