from django.conf import settings
from django.db import models


class Star(models.Model):
    """A person's star on an entity, kept by ref rather than by row.

    An entity re-ingested under a new uid (its location removed and registered again) keeps its
    ref, so a star outlives that; a star whose entity is gone is simply not shown.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="catalog_stars")
    # Lowercase ``kind:namespace/name``, as ``Entity.ref``.
    entity_ref = models.CharField(max_length=400)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "entity_ref"], name="catalog_star_unique_user_ref")]
        # The home widget's "newest first" and the explorer's ``ref IN (stars of user)``.
        indexes = [models.Index(fields=["user", "-created_at"], name="catalog_star_user_time")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} ★ {self.entity_ref}"
