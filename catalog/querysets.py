"""Named reads of the catalog. Filters run in the database, from indexes, never in Python."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404

from .filtering import (
    TEXT_KEYS,
    KeysetAfter,
    SortValue,
    TermsMatch,
    TextTermsLike,
    escape_like,
    filter_q,
    like_q,
    relation_q,
    search_term,
)
from .formats.filter_syntax import Condition, FilterClause

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    from .models import Entity, EntityHistory

ENTITY_TABLE = "catalog_entity"


class ServedKey(NamedTuple):
    """A key the served entity adds to its stored body, in SQL (``PAYLOAD_SQL``) and in Python
    (``catalog.api.serializers.entity_payload``): both are built from ``SERVED_KEYS``, nothing else."""

    key: str
    sql: str  # the value, a jsonb expression over the entity row
    sql_when: str  # served only when this holds ("" for always)
    value: Callable[[Entity], Any]  # the value from a loaded entity; None leaves the key out


SERVED_KEYS = (
    ServedKey(
        "relations",
        "coalesce((SELECT s.relations FROM catalog_entityrelations AS s "
        f"WHERE s.entity_id = {ENTITY_TABLE}.id), '[]'::jsonb)",
        "",
        lambda entity: entity.output_relations,
    ),
    ServedKey(
        "status",
        f"jsonb_build_object('items', {ENTITY_TABLE}.processing_errors)",
        f"{ENTITY_TABLE}.processing_errors <> '[]'::jsonb",
        lambda entity: {"items": entity.processing_errors} if entity.processing_errors else None,
    ),
)


def _served_sql(served: ServedKey) -> str:
    value = f"jsonb_build_object('{served.key}', {served.sql})"
    return f"CASE WHEN {served.sql_when} THEN {value} ELSE '{{}}'::jsonb END" if served.sql_when else value


# The entity as served (body, stitched relations, status), as JSON text built by PostgreSQL.
PAYLOAD_SQL = f"({ENTITY_TABLE}.body || {' || '.join(_served_sql(served) for served in SERVED_KEYS)})::text"
_PAYLOAD_BY_REF_SQL = f"SELECT {PAYLOAD_SQL} FROM {ENTITY_TABLE} WHERE {ENTITY_TABLE}.ref = %s"


def payload_text_by_ref(ref: str) -> str | None:
    """The served JSON text of the entity with this (lowercase) ref, or None (PostgreSQL only).

    The hottest read of the API: one fixed statement, so no queryset is built and compiled per call.
    """
    with connection.cursor() as cursor:
        cursor.execute(_PAYLOAD_BY_REF_SQL, [ref])
        row = cursor.fetchone()
    return row[0] if row else None


class EntityNotFound(Http404):
    """No entity with this ref; the message is Backstage's by-name 404 when kind, namespace and name are known."""


def owner_refs_of(refs: Iterable[str]) -> dict[str, list[str]]:
    """Each ref's owners (targets of the ``ownedBy`` rows it emits), sorted; one query on the relation index."""
    from .models import Relation

    owners: dict[str, list[str]] = {}
    rows = Relation.objects.filter(source_ref__in=list(refs), type="ownedBy").order_by("source_ref", "target_ref")
    for source, target in rows.values_list("source_ref", "target_ref"):
        owners.setdefault(source, []).append(target)
    return owners


def owner_refs(entity: Entity) -> list[str]:
    """The entity's owners, sorted: from relations already loaded on it (``with_relations()`` or
    ``select_related("stitched")``), else one query."""
    relations = getattr(entity, "output_relations", None)
    if relations is None and type(entity).stitched.is_cached(entity):
        stitched = entity._state.fields_cache["stitched"]
        relations = stitched.relations if stitched is not None else []
    if relations is not None:
        return sorted(item["targetRef"] for item in relations if item["type"] == "ownedBy")
    return owner_refs_of([entity.ref]).get(entity.ref, [])


class EntityQuerySet(models.QuerySet):
    """Reads of ``Entity`` rows: by ref, by owner, and Backstage filter expressions."""

    def by_ref(self, ref: str) -> EntityQuerySet:
        return self.filter(ref=ref.lower())

    def get_by_ref_or_404(self, ref: str, *, with_relations: bool = False) -> Entity:
        """The entity with this ref (any case), or ``EntityNotFound``; ``with_relations`` as in ``with_relations()``."""
        return self._get_or_404(ref, f"No entity {ref!r} in the catalog", with_relations)

    def get_by_name_or_404(self, kind: str, namespace: str, name: str, *, with_relations: bool = False) -> Entity:
        """The entity ``kind:namespace/name`` (matching ignores case), or ``EntityNotFound`` in Backstage's words."""
        message = f"No entity named '{name}' found, with kind '{kind}' in namespace '{namespace}'"
        return self._get_or_404(f"{kind}:{namespace}/{name}", message, with_relations)

    def _get_or_404(self, ref: str, message: str, with_relations: bool) -> Entity:
        # No stored ref holds a NUL (PostgreSQL text cannot): not found, rather than a database error.
        if "\x00" in ref:
            raise EntityNotFound(message)
        qs = self.by_ref(ref)
        found = qs.with_relations() if with_relations else list(qs[:1])
        if not found:
            raise EntityNotFound(message)
        return found[0]

    def matching_text(self, text: str) -> EntityQuerySet:
        """Entities whose name or title contains ``text`` (case-insensitive); all of them for no text."""
        return self.filter(Q(name__icontains=text) | Q(title__icontains=text)) if text else self

    def with_owner_ref(self) -> EntityQuerySet:
        """Annotate ``owner_ref``: the first (sorted) owner, a subquery on the relation index."""
        from .models import Relation

        first = Relation.objects.filter(source_ref=OuterRef("ref"), type="ownedBy").order_by("target_ref")
        return self.annotate(owner_ref=Subquery(first.values("target_ref")[:1]))

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
        if connection.vendor == "postgresql":
            return self.filter(TermsMatch([search_term(key.lower())]))
        return self.filter(search__has_key=key.lower())

    def with_sort_value(self, key: str) -> EntityQuerySet:
        """Annotate ``sort_value``: the lowercase first value at ``key``, what ordering compares."""
        return self.annotate(sort_value=SortValue(key))

    def beyond(self, boundary: tuple[Any, ...], *, sort_key: str | None, descending: bool) -> EntityQuerySet:
        """Rows after ``boundary`` in the order ``(sort value, id)`` (or ``id`` alone): a keyset page.

        On PostgreSQL the test is one row comparison, the form an index range scan starts from
        (``catalog_entity_sort_*`` or the primary key); the same test spelled with OR would make
        the planner walk every row before the boundary.
        """
        if sort_key is None:
            return self.filter(id__lt=boundary[0]) if descending else self.filter(id__gt=boundary[0])
        value, uid = boundary
        if connection.vendor != "postgresql":
            if descending:
                return self.filter(Q(sort_value__lt=value) | Q(sort_value=value, id__lt=uid))
            return self.filter(Q(sort_value__gt=value) | Q(sort_value=value, id__gt=uid))
        return self.filter(KeysetAfter(sort_key, str(value), str(uid), descending=descending))

    def window(self, start: int, count: int) -> EntityQuerySet:
        """Rows ``start`` to ``start + count`` of this ordered queryset.

        Past the first row the offset is taken over ids alone, and the page is then read by id:
        PostgreSQL computes every selected value (the served JSON, with its relation subquery)
        for the rows an OFFSET skips too, so page 100 of a plain slice rendered 5,000 entities.
        """
        if start == 0:
            return self[:count]
        return self.filter(pk__in=self.values("pk")[start : start + count])

    def full_text(self, term: str, keys: list[str]) -> EntityQuerySet:
        """Entities where any value at one of ``keys`` contains ``term`` (case-insensitive)."""
        pattern = f"%{escape_like(term)}%"
        combined = Q()
        for key in keys:
            combined |= like_q(key, pattern)
        if connection.vendor == "postgresql" and {key.lower() for key in keys} <= TEXT_KEYS:
            # Also under three characters: LIKE on the short column is cheaper than the exact test.
            # The trigram index finds the candidates; the exact test reads only those.
            return self.filter(TextTermsLike(pattern)).filter(combined)
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
