"""The entities of a kind in ref order, with their ids: ``GET /entities?filter=kind=…&offset=…``.

``GET /entities`` pages in ref order, and every ref starts with its kind, so walking the ref index
for components first passes every API. With the kind leading and the id included, an offset page
counts its way through this index alone and reads only the rows it returns (PostgreSQL only).
"""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS catalog_entity_kind_ref ON catalog_entity (kind, ref) INCLUDE (id)"
DROP = "DROP INDEX IF EXISTS catalog_entity_kind_ref"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0014_entity_search_terms")]

    operations = [migrations.RunPython(forward, backward)]
