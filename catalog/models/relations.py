from django.db import models


class Relation(models.Model):
    """One directed relation row ``source -type-> target``, owned by the entity that emitted it.

    Both directions of a spec reference are stored (``ownedBy`` on the component and ``ownerOf``
    on the group), so an entity's relations are the rows whose ``source_ref`` is its ref. Targets
    need not exist: a dangling row resolves when the target arrives.
    """

    source_ref = models.CharField(max_length=400)
    type = models.CharField(max_length=64)
    target_ref = models.CharField(max_length=400)
    emitter = models.ForeignKey("catalog.Entity", on_delete=models.CASCADE, related_name="emitted_relations")

    class Meta:
        indexes = [
            # Serves an entity's output relations.
            models.Index(fields=["source_ref", "type"], name="catalog_relation_source"),
            # Serves ``relations.<type>=<ref>`` filters and "who points at me" lookups.
            models.Index(fields=["type", "target_ref"], name="catalog_relation_target"),
        ]

    def __str__(self) -> str:
        return f"{self.source_ref} -{self.type}-> {self.target_ref}"
