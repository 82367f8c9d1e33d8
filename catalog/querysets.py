"""Named reads of the catalog. Filters run in the database, from indexes, never in Python."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL

from .filters import Condition, FilterClause
from .relations import RELATION_PAIRS, both_directions

if TYPE_CHECKING:
    from datetime import datetime

    from .models import Entity, EntityHistory

_RELATION_TYPES = {relation.lower(): relation for relation in RELATION_PAIRS}


def _json_path(key: str) -> str:
    if '"' in key or "\\" in key:
        # No indexed key contains a quote: such a filter can match nothing.
        return ""
    return f'$."{key}"'


class EntityQuerySet(models.QuerySet):
    """Reads of ``Entity`` rows: by ref, by owner, and Backstage filter expressions."""

    def by_ref(self, ref: str) -> EntityQuerySet:
        return self.filter(ref=ref.lower())

    def owned_by(self, owner_ref: str) -> EntityQuerySet:
        return self.matching([(Condition("relations.ownedby", (owner_ref.lower(),)),)])

    def of_kind(self, kind: str) -> EntityQuerySet:
        return self.matching([(Condition("kind", (kind.lower(),)),)])

    def matching(self, clauses: list[FilterClause]) -> EntityQuerySet:
        """Entities matching any clause, where a clause matches when all its conditions hold."""
        if not clauses:
            return self
        combined = Q()
        for clause in clauses:
            clause_q = Q()
            for condition in clause:
                clause_q &= self._condition_q(condition)
            combined |= clause_q
        return self.filter(combined)

    def _condition_q(self, condition: Condition) -> Q:
        key, values = condition.key, condition.values
        if key.startswith("relations."):
            return self._relation_q(key.removeprefix("relations."), values)
        if values is None:
            return Q(search__has_key=key)
        if connection.vendor == "postgresql":
            # Each branch is a jsonb @> test, served by the GIN index on ``search``.
            q = Q()
            for value in values:
                q |= Q(search__contains={key: [value]})
            return q
        path = _json_path(key)
        if not path:
            return Q(pk__in=[])
        placeholders = ",".join(["%s"] * len(values))
        table = self.model._meta.db_table
        return Q(
            RawSQL(
                f"EXISTS (SELECT 1 FROM json_each({table}.search, %s) AS item "
                f"WHERE item.value IN ({placeholders}))",
                [path, *values],
                output_field=models.BooleanField(),
            )
        )

    def _relation_q(self, relation_key: str, values: tuple[str, ...] | None) -> Q:
        """Entities having an output relation of this type (to one of ``values``).

        A relation is either stored forward from the entity, or stored on the other entity in the
        reverse type (``ownerOf`` on X is ``ownedBy`` written by the component pointing at X).
        """
        from .models import Relation

        relation_type = _RELATION_TYPES.get(relation_key)
        if relation_type is None:
            return Q(pk__in=[])
        forward = Relation.objects.filter(type=relation_type)
        reverse = Relation.objects.filter(type=RELATION_PAIRS[relation_type])
        if values is not None:
            forward = forward.filter(target_ref__in=values)
            reverse = reverse.filter(source_ref__in=values)
        return Q(ref__in=forward.values("source_ref")) | Q(ref__in=reverse.values("target_ref"))

    def with_relations(self) -> list[Entity]:
        """Evaluate, attaching each entity's output relations in one extra query."""
        from .models import Relation

        entities = list(self)
        relations_by_ref: dict[str, set[tuple[str, str]]] = defaultdict(set)
        if entities:
            refs = [entity.ref for entity in entities]
            rows = Relation.objects.filter(Q(source_ref__in=refs) | Q(target_ref__in=refs)).values_list(
                "source_ref", "type", "target_ref"
            )
            wanted = set(refs)
            for row in rows:
                for source_ref, relation_type, target_ref in both_directions(row):
                    if source_ref in wanted:
                        relations_by_ref[source_ref].add((relation_type, target_ref))
        for entity in entities:
            entity.output_relations = [
                {"type": relation_type, "targetRef": target_ref}
                for relation_type, target_ref in sorted(relations_by_ref[entity.ref])
            ]
        return entities


class EntityHistoryQuerySet(models.QuerySet):
    """Reads of recorded entity changes."""

    def of_entity(self, ref: str) -> EntityHistoryQuerySet:
        return self.filter(entity_ref=ref.lower())

    def as_of(self, ref: str, moment: datetime) -> EntityHistory | None:
        """The entity's last recorded version at ``moment`` (None if it did not exist yet)."""
        return self.of_entity(ref).filter(recorded_at__lte=moment).order_by("-recorded_at", "-id").first()
