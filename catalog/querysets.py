"""Named reads of the catalog. Filters run in the database, from indexes, never in Python."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL

from .filtering import (
    condition_q,  # noqa: F401 -- the compiler's, kept importable from here for older callers
    escape_like,
    filter_q,
    json_key_path,
    like_q,
    relation_q,
)
from .formats.filter_syntax import Condition, FilterClause

if TYPE_CHECKING:
    from datetime import datetime

    from .models import Entity, EntityHistory

ENTITY_TABLE = "catalog_entity"

# The entity as served (body, stitched relations, status), as JSON text built by PostgreSQL.
PAYLOAD_SQL = f"""({ENTITY_TABLE}.body
    || jsonb_build_object('relations', coalesce(
        (SELECT s.relations FROM catalog_entityrelations AS s WHERE s.entity_id = {ENTITY_TABLE}.id),
        '[]'::jsonb))
    || CASE WHEN {ENTITY_TABLE}.processing_errors = '[]'::jsonb THEN '{{}}'::jsonb
       ELSE jsonb_build_object('status', jsonb_build_object('items', {ENTITY_TABLE}.processing_errors))
       END)::text"""
_PAYLOAD_BY_REF_SQL = f"SELECT {PAYLOAD_SQL} FROM {ENTITY_TABLE} WHERE {ENTITY_TABLE}.ref = %s"


def payload_text_by_ref(ref: str) -> str | None:
    """The served JSON text of the entity with this (lowercase) ref, or None (PostgreSQL only).

    The hottest read of the API: one fixed statement, so no queryset is built and compiled per call.
    """
    with connection.cursor() as cursor:
        cursor.execute(_PAYLOAD_BY_REF_SQL, [ref])
        row = cursor.fetchone()
    return row[0] if row else None


class EntityQuerySet(models.QuerySet):
    """Reads of ``Entity`` rows: by ref, by owner, and Backstage filter expressions."""

    def by_ref(self, ref: str) -> EntityQuerySet:
        return self.filter(ref=ref.lower())

    def owned_by(self, owner_ref: str) -> EntityQuerySet:
        return self.matching([(Condition("relations.ownedby", (owner_ref.lower(),)),)])

    def owned_by_any(self, owner_refs: list[str]) -> EntityQuerySet:
        """Entities owned by any of ``owner_refs`` (a person and their groups): one semi-join on relations."""
        if not owner_refs:
            return self.none()
        return self.filter(relation_q("ownedBy", tuple(ref.lower() for ref in owner_refs)))

    def starred_by(self, user) -> EntityQuerySet:
        """Entities ``user`` has starred: ``ref IN (their stars)``, served by the star table's index."""
        from .models import Star

        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(ref__in=Star.objects.filter(user=user).values("entity_ref"))

    def of_kind(self, kind: str) -> EntityQuerySet:
        return self.matching([(Condition("kind", (kind.lower(),)),)])

    def matching(self, clauses: list[FilterClause], *, columns: bool = False) -> EntityQuerySet:
        """Entities matching any clause, where a clause matches when all its conditions hold
        (``catalog.filtering.filter_q``, the one filter compiler)."""
        return self.filter(filter_q(clauses, columns=columns)) if clauses else self

    def has_key(self, key: str) -> EntityQuerySet:
        """Entities whose search document has ``key`` (used to drop entities lacking a sort field)."""
        return self.filter(search__has_key=key.lower())

    def with_sort_value(self, key: str) -> EntityQuerySet:
        """Annotate ``sort_value``: the lowercase first value at ``key``, what ordering compares."""
        table = self.model._meta.db_table
        if connection.vendor == "postgresql":
            expression = RawSQL(f"({table}.search -> %s ->> 0)", [key.lower()])
        else:
            path = json_key_path(key.lower())
            expression = RawSQL(f"json_extract({table}.search, %s)", [f"{path}[0]" if path else "$.x"])
        return self.annotate(sort_value=expression)

    def full_text(self, term: str, keys: list[str]) -> EntityQuerySet:
        """Entities where any value at one of ``keys`` contains ``term`` (case-insensitive)."""
        pattern = f"%{escape_like(term)}%"
        combined = Q()
        for key in keys:
            combined |= like_q(key, pattern)
        return self.filter(combined)

    def for_output(self) -> EntityQuerySet:
        """Only the columns an API answer needs: the search index is large and never served."""
        return self.defer("search", "content_hash", "source_digest")

    def with_payload(self) -> EntityQuerySet:
        """Annotate ``payload``: the entity as served, JSON text built by PostgreSQL (PostgreSQL only).

        Body, stitched relations and status are joined in the database, so a page is answered
        without decoding and re-encoding every entity in Python.
        """
        payload = RawSQL(PAYLOAD_SQL, [])
        return self.annotate(payload=payload)

    def with_relations(self) -> list[Entity]:
        """Evaluate, attaching each entity's served relations (stitched, so no extra query)."""
        entities = list(self.for_output().select_related("stitched"))
        for entity in entities:
            try:
                entity.output_relations = entity.stitched.relations
            except ObjectDoesNotExist:
                # Written by a refresh still running: stitched when it finishes.
                entity.output_relations = []
        return entities


class EntityHistoryQuerySet(models.QuerySet):
    """Reads of recorded entity changes."""

    def of_entity(self, ref: str) -> EntityHistoryQuerySet:
        return self.filter(entity_ref=ref.lower())

    def as_of(self, ref: str, moment: datetime) -> EntityHistory | None:
        """The entity's last recorded version at ``moment`` (None if it did not exist yet)."""
        return self.of_entity(ref).filter(recorded_at__lte=moment).order_by("-recorded_at", "-id").first()
