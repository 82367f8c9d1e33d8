"""Upgrades run migrations while the old version still serves: every migration must be additive.

An operation the old code cannot live with (a dropped or renamed column or table, a changed column,
a new NOT NULL column without a database default, a new constraint, data rewritten by code) is
flagged unless the migration is listed below with the reason it is safe or the release note that
says how to run it (docs/operations.md, "Upgrades").
"""

from __future__ import annotations

from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.db.models.fields import NOT_PROVIDED

GREENROOM_APPS = {"portal", "catalog", "scaffolder", "techdocs", "techradar", "soundcheck"}

# Operations an old version keeps working beside: new tables, nullable or defaulted columns, indexes.
ALWAYS_SAFE = (
    migrations.CreateModel,
    migrations.AddIndex,
    migrations.AlterModelOptions,
    migrations.AlterModelManagers,
    migrations.RemoveIndex,
    migrations.RenameIndex,
)

TABLE_SHAPE = (migrations.AddConstraint, migrations.AlterUniqueTogether, migrations.AlterIndexTogether)
# django.contrib.postgres's CREATE EXTENSION operations add functions and types, nothing else.
EXTENSIONS = {"CreateExtension", "TrigramExtension", "BtreeGinExtension", "UnaccentExtension"}

# Migrations written before the first release, when no old version was serving, and code that only
# adds indexes: reviewed and exempt. New entries need a reason.
ALLOWED: dict[tuple[str, str], str] = {
    ("catalog", "0002_search_gin_index"): "before the first release: builds a search column by code",
    ("catalog", "0003_entity_parent_ref"): "before the first release: NOT NULL column",
    ("catalog", "0005_entity_title"): "before the first release: NOT NULL column",
    ("catalog", "0006_lz4_compression"): "before the first release: storage option set by code",
    ("catalog", "0008_entity_type_lifecycle"): "before the first release: NOT NULL columns",
    ("catalog", "0009_backfill_entity_columns"): "before the first release: backfill by code",
    ("catalog", "0014_entity_search_terms"): (
        "generated column, computed by PostgreSQL, that old code never names; drops a GIN index the old "
        "filters still use (correct, slower) — docs/operations.md, Upgrades, 'Filter terms'"
    ),
    ("catalog", "0015_entity_kind_ref_index"): "adds one index only (by code: PostgreSQL only, INCLUDE)",
    ("catalog", "0016_entity_text_terms"): (
        "generated column, computed by PostgreSQL, that old code never names, and its index — "
        "docs/operations.md, Upgrades, 'Filter terms'"
    ),
    ("catalog", "0017_entity_small_columns_inline"): (
        "storage option and a table rewrite by code (VACUUM FULL), no column changes — docs/operations.md, "
        "Upgrades, 'Row layout'"
    ),
    ("soundcheck", "0003_result_keys_unindexed"): (
        "drops the check foreign-key constraints of CheckResult and CheckResultChange and four single-column "
        "indexes a composite index already covers; old code needs neither (deletes cascade in Django) — "
        "docs/operations.md, Upgrades, 'Soundcheck result keys'"
    ),
    ("portal", "0003_search_document"): "before the first release: search documents built by code",
    ("portal", "0004_search_title_index"): "adds expression indexes only, CONCURRENTLY (by code: PostgreSQL only)",
    ("catalog", "0019_provider_state"): (
        "a new table, and a new choice on Location.origin (choices live in Python: no column change, old "
        "code reads the value as an unknown origin)"
    ),
    ("catalog", "0020_explorer_sort_indexes"): "adds expression indexes only, CONCURRENTLY (by code: PostgreSQL only)",
    ("catalog", "0021_entity_terms_written"): (
        "two generated columns become plain ones, values kept, no rewrite (by code: PostgreSQL only); a "
        "trigger computes them for writers that leave them out, as an older version serving beside it does"
    ),
    ("catalog", "0022_entity_fewer_indexes"): (
        "drops two indexes only (the foreign key's by name, its field changed in the model state alone); "
        "no column or constraint changes, old code's queries are served by the indexes that remain"
    ),
    ("portal", "0005_search_vocabulary"): (
        "adds an fts5vocab virtual table over the existing FTS5 index (by code: SQLite only); it stores nothing"
    ),
}


def unsafe_operations(migration: migrations.Migration) -> list[str]:
    """The operations of ``migration`` an old version serving beside it could not cope with."""
    created = {op.name.lower() for op in migration.operations if isinstance(op, migrations.CreateModel)}
    unsafe = []
    for operation in migration.operations:
        if isinstance(operation, ALWAYS_SAFE) or type(operation).__name__ in EXTENSIONS:
            continue
        # Constraints on a table made in the same migration bind no row an old version wrote.
        if isinstance(operation, TABLE_SHAPE) and operation.model_name.lower() in created:
            continue
        if isinstance(operation, migrations.AddField):
            field = operation.field
            has_db_default = field.db_default is not NOT_PROVIDED
            if operation.model_name.lower() in created or field.null or has_db_default or field.many_to_many:
                continue
        unsafe.append(f"{type(operation).__name__}: {operation.describe()}")
    return unsafe


def project_migrations() -> dict[tuple[str, str], migrations.Migration]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {key: migration for key, migration in loader.disk_migrations.items() if key[0] in GREENROOM_APPS}


def test_every_migration_is_additive_or_allowed():
    flagged = {
        key: unsafe
        for key, migration in project_migrations().items()
        if (unsafe := unsafe_operations(migration)) and key not in ALLOWED
    }

    assert flagged == {}


def test_allow_list_names_real_migrations():
    assert set(ALLOWED) - set(project_migrations()) == set()


def test_dropping_a_column_is_flagged():
    migration = migrations.Migration("0999_drop", "catalog")
    migration.operations = [migrations.RemoveField("entity", "title")]

    assert unsafe_operations(migration) == ["RemoveField: Remove field title from entity"]


def test_not_null_column_without_database_default_is_flagged():
    from django.db import models

    migration = migrations.Migration("0999_add", "catalog")
    migration.operations = [
        migrations.AddField("entity", "owner_team", models.CharField(max_length=10, default="x")),
        migrations.AddField("entity", "note", models.TextField(null=True)),
        migrations.AddField("entity", "score", models.IntegerField(db_default=0)),
    ]

    assert unsafe_operations(migration) == ["AddField: Add field owner_team to entity"]
