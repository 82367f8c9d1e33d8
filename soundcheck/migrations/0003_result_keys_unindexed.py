"""Result and history rows lose what a first evaluation paid for per row and nothing reads:

- the single-column indexes on ``rule_check_id`` / ``track_id``: each table has a composite index
  that starts with the same column (``soundcheck_checkresult_state``, ``soundcheck_checkchange``,
  ``soundcheck_trackresult_level``, ``soundcheck_trackchange``), which serves the same lookups;
- the foreign-key constraints of ``CheckResult`` and ``CheckResultChange`` on ``Check``: at 100,000
  entities and 30 checks a first run writes six million such rows and PostgreSQL checks each key
  with a query of its own, which took longer than the inserts. Deleting a check still deletes its
  results and history (Django's cascade); see docs/soundcheck.md, "Evaluation at scale".

Track tables keep their constraint (two rows per entity); only their redundant index goes, without
re-creating the constraint, which a plain ``AlterField`` would do (and validate every row).
"""

import django.db.models.deletion
from django.db import migrations, models

TRACK_INDEXES = ("soundcheck_trackresult_track_id_4236a39e", "soundcheck_trackresultchange_track_id_49db5235")


class Migration(migrations.Migration):
    dependencies = [
        ("soundcheck", "0002_entity_digest_and_runs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="checkresult",
            name="rule_check",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="results",
                to="soundcheck.check",
            ),
        ),
        migrations.AlterField(
            model_name="checkresultchange",
            name="rule_check",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="changes",
                to="soundcheck.check",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="trackresult",
                    name="track",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="results",
                        to="soundcheck.track",
                    ),
                ),
                migrations.AlterField(
                    model_name="trackresultchange",
                    name="track",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="changes",
                        to="soundcheck.track",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in TRACK_INDEXES], reverse_sql=migrations.RunSQL.noop
                )
            ],
        ),
    ]
