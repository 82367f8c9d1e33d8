from django.db import models


class EntityRelations(models.Model):
    """An entity's relations as served, both directions, sorted: Backstage's "stitched" relations.

    Kept in step with ``Relation`` rows by ``catalog.services.stitching`` after every refresh and
    deletion, so reading a page of entities needs no relation join. A narrow table of its own:
    restitching rewrites these small rows, never the wide, GIN-indexed entity rows.
    """

    entity = models.OneToOneField("catalog.Entity", primary_key=True, on_delete=models.CASCADE, related_name="stitched")
    relations = models.JSONField(default=list)

    class Meta:
        verbose_name_plural = "entity relations"

    def __str__(self) -> str:
        return f"relations of {self.entity_id}"
