from __future__ import annotations

from django.db import models

from portal.links import reverse_or_empty


class DocSite(models.Model):
    """The documentation site of one catalog entity: which build is online, and the last attempt.

    ``current_build`` is the last good build, the one readers see; ``latest_build`` is the most
    recent attempt, which may have failed (the page then shows its error above the last good site).
    Keyed by the entity's lowercase ref, so a site outlives a refresh that re-creates the entity row.
    """

    entity_ref = models.CharField(max_length=400, unique=True)
    namespace = models.CharField(max_length=63)
    kind = models.CharField(max_length=63)
    name = models.CharField(max_length=63)
    current_build = models.ForeignKey(
        "techdocs.DocBuild", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    latest_build = models.ForeignKey(
        "techdocs.DocBuild", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entity_ref"]

    def __str__(self) -> str:
        return self.entity_ref

    def get_absolute_url(self) -> str:
        return reverse_or_empty("techdocs:entity_docs", self.namespace, self.kind, self.name)

    @property
    def has_site(self) -> bool:
        return self.current_build_id is not None


class DocBuild(models.Model):
    """One attempt to build (or, for external builds, to publish) a site, with its log.

    A succeeded build's files live in the techdocs storage under ``storage_prefix``; each build gets
    its own prefix, so a new site goes online by moving ``DocSite.current_build`` in one update and
    a failed build never touches the files readers are served.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "building"
        SUCCEEDED = "succeeded", "built"
        FAILED = "failed", "failed"
        UNCHANGED = "unchanged", "not modified"

    class Mode(models.TextChoices):
        LOCAL = "local", "built here"
        EXTERNAL = "external", "uploaded"

    site = models.ForeignKey(DocSite, on_delete=models.CASCADE, related_name="builds")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.LOCAL)
    # Git commit of the source, or a digest of a local source tree; empty when unknown.
    source_commit = models.CharField(max_length=64, blank=True)
    # Digest of the portal's build configuration (limits, allowed plugins, MkDocs versions) used; a
    # failed build is not repeated for the same source_commit and config_digest (build_memory.py).
    # db_default: a version serving beside this one during an upgrade inserts rows without the column.
    config_digest = models.CharField(max_length=64, blank=True, default="", db_default="")
    reason = models.CharField(max_length=200, blank=True)
    requested_by = models.CharField(max_length=150, blank=True)
    log = models.TextField(blank=True)
    error = models.TextField(blank=True)
    storage_prefix = models.CharField(max_length=500, blank=True)
    # techdocs_metadata.json as served by the metadata endpoint.
    metadata = models.JSONField(default=dict, blank=True)
    # The site's navigation: [{"title", "path", "children": [...]}], paths relative to the site root.
    nav = models.JSONField(default=list, blank=True)
    file_count = models.PositiveIntegerField(default=0)
    size_bytes = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "-created_at"], name="techdocs_build_site_recent")]

    def __str__(self) -> str:
        return f"{self.site.entity_ref} build {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED, self.Status.UNCHANGED)
