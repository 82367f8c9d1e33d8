"""The search index's table: one row per findable thing (entity, template, person, docs page).

The full-text part lives beside the row and is kept by the database itself: on PostgreSQL a
generated, weighted ``tsvector`` column with a GIN index (plus a trigram index for typos); on
SQLite an FTS5 table fed by triggers. Both are created in migration ``0003`` and read only by
``portal.search.backends``; Django never writes them.
"""

from __future__ import annotations

from django.db import models


class SearchDocument(models.Model):
    """A search result as stored: what it is, where it leads, and the text it is found by.

    ``title`` and ``name`` weigh most, ``keywords`` (tags, owner, kind, type, headings, e-mail) next,
    ``text`` (description, page text) least. ``kind``, ``owner``, ``lifecycle`` and
    ``entity_type`` feed the facets; for docs pages they are copied from the documented entity.
    """

    class Type(models.TextChoices):
        CATALOG = "software-catalog", "Catalog"
        TEMPLATES = "templates", "Templates"
        PEOPLE = "people", "People"
        TECHDOCS = "techdocs", "Documentation"

    type = models.CharField(max_length=40, choices=Type.choices)
    # The entity this row is (catalog rows) or documents (docs pages): what a change replaces.
    source_ref = models.CharField(max_length=400)
    location = models.CharField(max_length=2000)
    title = models.CharField(max_length=400)
    name = models.CharField(max_length=255, blank=True)
    keywords = models.TextField(blank=True)
    text = models.TextField(blank=True)
    kind = models.CharField(max_length=63, blank=True)
    namespace = models.CharField(max_length=63, blank=True)
    owner = models.CharField(max_length=400, blank=True)
    lifecycle = models.CharField(max_length=200, blank=True)
    entity_type = models.CharField(max_length=200, blank=True)
    # The entity's etag when indexed: a catalog-wide sync skips rows whose etag still matches.
    etag = models.CharField(max_length=40, blank=True)
    # Extra fields served in the API's ``document`` (tags, headings, the documented entity's title).
    extra = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "portal"
        indexes = [
            # Replacing or removing one entity's rows, and the etag sync's join.
            models.Index(fields=["source_ref", "type"], name="portal_search_source"),
        ]

    def __str__(self) -> str:
        return f"{self.type}: {self.title}"
