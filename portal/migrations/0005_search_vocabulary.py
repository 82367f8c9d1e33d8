"""FTS5's vocabulary of the search index, for correcting misspelt words on SQLite.

An ``fts5vocab`` table reads the terms of ``portal_searchdocument_fts`` straight from its index:
one row per term with the number of documents holding it. It stores nothing, so it is always in
step with the documents (the triggers of migration
``0003`` keep the FTS5 table). ``portal.search.spelling`` reads it. PostgreSQL needs nothing:
pg_trgm finds near spellings there.
"""

from django.db import migrations

FORWARD = "CREATE VIRTUAL TABLE portal_searchdocument_vocab USING fts5vocab(portal_searchdocument_fts, 'row')"
BACKWARD = "DROP TABLE IF EXISTS portal_searchdocument_vocab"


def create_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(FORWARD)


def drop_vocabulary(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_search_title_index"),
    ]

    operations = [
        migrations.RunPython(create_vocabulary, drop_vocabulary, elidable=False),
    ]
