from django.db import models


class Relation(models.Model):
    """One relation ``source -type-> target`` as written in a spec field, owned by the emitting entity.

    Only the forward direction is stored (``ownedBy`` on the component); the reverse (``ownerOf``
    on the group) is derived on read from the rows whose ``target_ref`` is the group. Targets need
    not exist: a dangling row resolves when the target arrives.
    """

    source_ref = models.CharField(max_length=400)
    type = models.CharField(max_length=64)
    target_ref = models.CharField(max_length=400)
    emitter = models.ForeignKey("catalog.Entity", on_delete=models.CASCADE, related_name="emitted_relations")

    class Meta:
        indexes = [
            # An entity's forward relations, and reverse-relation filters (``ownerOf=<component>``).
            models.Index(fields=["source_ref", "type"], name="catalog_relation_source"),
            # An entity's reverse relations, and ``relations.<type>=<ref>`` filters.
            models.Index(fields=["target_ref", "type"], name="catalog_relation_target_type"),
            # The distinct owners of the catalog (ownership gaps): a thousand or so values over a small
            # index, where the full target index holds every relation of every type.
            models.Index(fields=["target_ref"], condition=models.Q(type="ownedBy"), name="catalog_relation_owned_by"),
        ]

    def __str__(self) -> str:
        return f"{self.source_ref} -{self.type}-> {self.target_ref}"
