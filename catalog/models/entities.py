import uuid

from django.db import models

from ..querysets import EntityQuerySet


class Entity(models.Model):
    """One catalog entity as last processed successfully, with its search index.

    ``body`` is the entity as served (apiVersion, kind, metadata with uid and etag, spec); relations
    are kept in ``Relation`` and joined on output. ``search`` flattens the body into lowercase
    ``{"dotted.path": ["value", ...]}`` so any field filter is answered by one GIN-indexed
    containment test on PostgreSQL.
    """

    # Columns PostgreSQL has beside the model's (migrations 0014, 0016, 0021): the filter terms and
    # the full-text values of ``search``. Bulk writers give them (services/bulk.py); a trigger fills
    # them for every other writer; Django never reads them.
    POSTGRES_ONLY_COLUMNS = ("terms", "text_terms")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Lowercase ``kind:namespace/name``: lookups ignore case, as Backstage's do.
    ref = models.CharField(max_length=400, unique=True)
    kind = models.CharField(max_length=63)
    namespace = models.CharField(max_length=63)
    name = models.CharField(max_length=63)
    # metadata.title, kept beside the body so lists and lookups need not read the body for it.
    title = models.CharField(max_length=400, blank=True)
    # spec.type and spec.lifecycle in lowercase, the explorer's everyday filters, as plain columns.
    spec_type = models.CharField(max_length=200, blank=True)
    lifecycle = models.CharField(max_length=200, blank=True)
    body = models.JSONField()
    search = models.JSONField(default=dict)
    # No index of its own: ``catalog_entity_location`` (location, location_key) serves every lookup
    # by location, and each index is paid for on every row a refresh writes.
    location = models.ForeignKey("catalog.Location", on_delete=models.CASCADE, related_name="entities", db_index=False)
    # Location ref of the file the entity was read from (``backstage.io/managed-by-location``).
    location_key = models.TextField()
    # The Location entity whose target led to this entity (empty for a registration's own Location
    # entity): the edge Backstage's ancestry endpoint walks.
    parent_ref = models.CharField(max_length=400, blank=True)
    # SHA-1 of the processed body without uid and etag: an unchanged hash means nothing to write.
    content_hash = models.CharField(max_length=40)
    # SHA-1 of the source file's bytes and the rules it was read under; while it matches, a refresh
    # need not parse the file again. Empty for files that must always be read (Location entities,
    # placeholders).
    source_digest = models.CharField(max_length=40, blank=True)
    etag = models.CharField(max_length=40)
    generation = models.PositiveIntegerField(default=1)
    # Errors from the last refresh that touched this entity (Backstage's ``status.items``).
    processing_errors = models.JSONField(default=list, blank=True)
    is_orphan = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["ref"]
        indexes = [
            models.Index(fields=["location", "location_key"], name="catalog_entity_location"),
            # The explorer's default order, so a page of 100,000 entities is read off the index.
            models.Index(fields=["name", "ref"], name="catalog_entity_name_ref"),
            models.Index(fields=["kind", "name", "ref"], name="catalog_entity_kind_name_ref"),
            # The APIs page and the explorer filtered by kind and type, in name order.
            models.Index(fields=["kind", "spec_type", "name", "ref"], name="catalog_entity_kind_type_name"),
        ]

    def __str__(self) -> str:
        return self.ref

    def get_absolute_url(self) -> str:
        """The entity's page; empty for parts no URL can hold (only unsaved entities built from refs)."""
        from ..entity_urls import entity_url

        return entity_url(self.kind, self.namespace, self.name)

    @property
    def display_title(self) -> str:
        return self.title or self.name

    @property
    def status(self) -> dict:
        """Backstage's ``status`` block for the entity: its processing errors, if any."""
        return {"items": self.processing_errors} if self.processing_errors else {}
