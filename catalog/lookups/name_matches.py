"""What "who owns X?" means when X is a name: every entity it may mean, the likeliest first.

On-call types a service's name; an API, a resource or a system often share its start
(``unlock`` matches ``unlock-service`` and ``unlock-api``). Every match is offered as a choice:
an exact ref first, then an exact name, then services, other components, APIs and resources
before systems, domains and people; shorter names first within each.
"""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Length

from ..formats.refs import InvalidEntityRef, parse_entity_ref
from ..models import Entity

MATCH_LIMIT = 8
_KIND_RANK = (
    (Q(kind="Component", spec_type="service"), 0),
    (Q(kind="Component"), 1),
    (Q(kind="API"), 2),
    (Q(kind="Resource"), 3),
    (Q(kind="System"), 4),
    (Q(kind="Domain"), 5),
    (Q(kind="Group"), 6),
    (Q(kind="User"), 7),
)


def find_entities(text: str, *, limit: int = MATCH_LIMIT) -> list[Entity]:
    """Entities matching a ref exactly, else by name or title, in the order above."""
    try:
        ref = str(parse_entity_ref(text, default_kind="component"))
    except InvalidEntityRef:
        ref = None
    if ref and ":" in text:
        exact = list(Entity.objects.filter(ref=ref).for_output())
        if exact:
            return exact
    number = IntegerField()
    kind_rank = Case(*(When(q, then=Value(rank)) for q, rank in _KIND_RANK), default=Value(8), output_field=number)
    return list(
        Entity.objects.matching_text(text)
        .exclude(kind="Location")
        .annotate(
            exact=Case(When(name__iexact=text, then=Value(0)), default=Value(1), output_field=number),
            kind_rank=kind_rank,
            length=Length("name"),
        )
        .order_by("exact", "kind_rank", "length", "name")
        .for_output()[:limit]
    )
