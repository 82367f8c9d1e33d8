import hashlib
import uuid

from django.db import models


class Location(models.Model):
    """A registered place the catalog reads entities from: a file, a glob or a git repository.

    ``origin`` tells whether it comes from settings (static, like Backstage's app-config
    ``catalog.locations``) or was registered at run time by a command, the API or the UI.
    """

    class Origin(models.TextChoices):
        CONFIG = "config", "settings"
        REGISTERED = "registered", "registered"
        # Owned by an entity provider (catalog.providers): type "provider", target the provider id.
        PROVIDER = "provider", "entity provider"

    class Status(models.TextChoices):
        PENDING = "pending", "not refreshed yet"
        OK = "ok", "ok"
        ERROR = "error", "errors"

    # The type of an entity provider's location; never read as a file or a repository.
    PROVIDER_TYPE = "provider"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=32)
    target = models.TextField()
    presence = models.CharField(max_length=16, default="required")
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.REGISTERED)
    # Per-location catalog rules ({"allow": [...]} entries); null means the global rules.
    rules = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Processing errors of the last refresh: [{"location_key", "document", "line", "field", "message"}].
    errors = models.JSONField(default=list, blank=True)
    last_commit = models.CharField(max_length=64, blank=True)
    last_refresh_started_at = models.DateTimeField(null=True, blank=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    # Set while a refresh runs, so two workers never refresh one location at once.
    refresh_claimed_at = models.DateTimeField(null=True, blank=True)
    # When a refresh was last asked for; one that has not started since is sent again (portal/jobs.py).
    refresh_requested_at = models.DateTimeField(null=True, blank=True)
    # Refreshes in a row that crashed or could not read the target; each doubles the wait before
    # the scheduler tries again (catalog/services/backoff.py). A refresh asked for runs at once.
    # db_default: a version serving beside this one during an upgrade inserts rows without the column.
    consecutive_failures = models.PositiveIntegerField(default=0, db_default=0)
    # The scheduler leaves the location alone until then; null means the usual interval.
    next_refresh_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["type", "target"], name="catalog_location_unique_target")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.location_ref

    @property
    def location_ref(self) -> str:
        """Backstage's location ref string, ``<type>:<target>``."""
        return f"{self.type}:{self.target}"

    @property
    def entity_name(self) -> str:
        """Name of the Location entity generated for this registration, as Backstage names it."""
        return "generated-" + hashlib.sha1(self.location_ref.encode()).hexdigest()

    @property
    def entity_ref(self) -> str:
        return f"location:default/{self.entity_name}"
