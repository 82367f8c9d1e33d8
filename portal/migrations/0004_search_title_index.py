"""Indexes for ranking title and name matches first, built without locking the table.

``portal.search.postgres`` reads exact name or title matches, then matches of every word in
title and name, from these indexes before anything else, so a word that occurs in the text of
thousands of rows does not have every one of them scored for the first page. They are on
expressions (no new column, nothing rewritten) and built ``CONCURRENTLY``: reads and writes go
on while they build. SQLite needs nothing: FTS5 filters on its title column.
"""

from django.db import migrations

# name -> expression; TITLE_VECTOR in portal/search/postgres.py must stay the same expression
# as portal_search_title_vector's: the planner uses an expression index only for its very own.
INDEXES = {
    # Without fastupdate: every search reads this index, and a pending list (up to 4 MB of
    # entries after a large docs build, until vacuum merges it) is read in full by each of them.
    # Its entries are few words a row, so writing them straight into the index costs little.
    "portal_search_title_vector": (
        "USING gin (to_tsvector('simple'::regconfig, "
        "regexp_replace(((title)::text || ' '::text) || (name)::text, '[.@/:_]+', ' ', 'g'))) "
        "WITH (fastupdate = off)"
    ),
    "portal_search_name_lower": "(lower(name))",
    "portal_search_title_lower": "(lower(title))",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, definition in INDEXES.items():
            # A concurrent build that failed half-way leaves an invalid index behind: rebuild it.
            cursor.execute(
                "SELECT NOT i.indisvalid FROM pg_index AS i JOIN pg_class AS c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s",
                [name],
            )
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
            cursor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON portal_searchdocument {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("portal", "0003_search_document"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
