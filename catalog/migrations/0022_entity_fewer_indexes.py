"""Two indexes of the entity table that no query needs, dropped: every row a refresh writes pays for
each index, and the entity table had 24.

* ``catalog_entity_kind_ns_name`` (kind, namespace, name): entities are looked up by ``ref``
  (``catalog_entity_ref_key``); no query filters on namespace and name, and the many indexes that
  start with ``kind`` serve a kind filter.
* ``catalog_entity_location_id_e281e580`` (location_id), Django's index for the foreign key:
  ``catalog_entity_location`` (location_id, location_key) starts with the same column and serves
  every lookup by location, the cascade from a deleted location included.

Only indexes go; no column or constraint changes. The foreign key's index is dropped by its name
(the same on PostgreSQL and SQLite) rather than by an ``AlterField``, which SQLite would apply by
rebuilding the table.
"""

import django.db.models.deletion
from django.db import migrations, models

FK_INDEX = "catalog_entity_location_id_e281e580"


class Migration(migrations.Migration):
    dependencies = [("catalog", "0021_entity_terms_written")]

    operations = [
        migrations.RemoveIndex(model_name="entity", name="catalog_entity_kind_ns_name"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="entity",
                    name="location",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entities",
                        to="catalog.location",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {FK_INDEX}",
                    f"CREATE INDEX IF NOT EXISTS {FK_INDEX} ON catalog_entity (location_id)",
                ),
            ],
        ),
    ]
