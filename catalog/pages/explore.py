"""The Explore page: domains, systems and teams as cards with owners and sizes, for finding one's
way around an unfamiliar organisation.

Sizes are counted in the database, a fixed number of grouped queries per page of cards: systems per
domain, components/APIs/resources per system, members and owned entities per group. Each counts
distinct peers over both directions a relation can be written in (``spec.members`` on the group or
``spec.memberOf`` on the user), so a membership written twice counts once.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.views import View

from portal.views import HtmxPageMixin

from ..cache import cached_count
from ..models import Entity, Relation
from ..querysets import owner_refs_of
from ..views import CatalogReadMixin
from .common import cached, light_rows

PAGE_SIZE = 48
SECTIONS = {"domains": ("Domain", "Domains"), "systems": ("System", "Systems"), "groups": ("Group", "Teams")}
# (label, relation pointing at the card's entity, relation leaving it, prefix of the peers counted)
SIZES: dict[str, tuple[tuple[str, str | None, str | None, str], ...]] = {
    "Domain": (("systems", "partOf", None, "system:"),),
    "System": (
        ("components", "partOf", None, "component:"),
        ("APIs", "partOf", None, "api:"),
        ("resources", "partOf", None, "resource:"),
    ),
    "Group": (("members", "memberOf", "hasMember", "user:"), ("owned entities", "ownedBy", None, "")),
}


def peer_counts(refs: list[str], toward: str | None, away: str | None, prefix: str) -> dict[str, int]:
    """Distinct peers of each ref over ``peer -toward-> ref`` and ``ref -away-> peer`` rows (one query)."""
    if not refs:
        return {}
    table = Relation._meta.db_table
    marks = ",".join(["%s"] * len(refs))
    parts, params = [], []
    # (relation type, column holding the card's ref, column holding the peer)
    for relation, own, peer in ((toward, "target_ref", "source_ref"), (away, "source_ref", "target_ref")):
        if not relation:
            continue
        parts.append(f"SELECT {own} AS ref, {peer} AS peer FROM {table} WHERE type = %s AND {own} IN ({marks})")
        params += [relation, *refs]
        if prefix:
            parts[-1] += f" AND {peer} LIKE %s"
            params.append(prefix + "%")
    sql = f"SELECT ref, COUNT(*) FROM ({' UNION '.join(parts)}) AS pairs GROUP BY ref"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def section_counts(text: str) -> dict[str, int]:
    def compute() -> dict[str, int]:
        kinds = [kind for kind, _ in SECTIONS.values()]
        rows = (
            Entity.objects.filter(kind__in=kinds)
            .matching_text(text)
            .order_by()
            .values_list("kind")
            .annotate(count=Count("id"))
        )
        by_kind = dict(rows)
        return {key: by_kind.get(kind, 0) for key, (kind, _) in SECTIONS.items()}

    return cached("explore-counts", text, compute)


def cards_for(entities: list[Entity]) -> list[dict[str, Any]]:
    """Each entity with its owners and its sizes."""
    refs = [entity.ref for entity in entities]
    kind = entities[0].kind if entities else ""
    owners = owner_refs_of(refs) if kind != "Group" else {}
    sizes = [(label, peer_counts(refs, toward, away, prefix)) for label, toward, away, prefix in SIZES.get(kind, ())]
    return [
        {
            "entity": entity,
            "owners": owners.get(entity.ref, []),
            "sizes": [(label, counts.get(entity.ref, 0)) for label, counts in sizes],
        }
        for entity in entities
    ]


class ExploreView(CatalogReadMixin, HtmxPageMixin, View):
    """Domains, systems or teams (``?section=``) as cards; a text filter; pages of cards."""

    template_name = "catalog/explore.html"
    partial_name = "catalog/partials/explore_cards.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        section = request.GET.get("section", "domains")
        if section not in SECTIONS:
            section = "domains"
        text = request.GET.get("q", "").strip()[:200]
        kind = SECTIONS[section][0]
        qs = Entity.objects.filter(kind=kind).matching_text(text).order_by("name", "ref")
        paginator = Paginator(light_rows(qs), PAGE_SIZE)
        paginator.count = cached_count(qs, {"filter": ["explore", section, text]})
        page = paginator.get_page(request.GET.get("page"))
        counts = section_counts(text)
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "section": section,
            "section_label": SECTIONS[section][1],
            "sections": [(key, label, counts[key]) for key, (_, label) in SECTIONS.items()],
            "text": text,
            "page": page,
            "cards": cards_for(list(page.object_list)),
            "query": query.urlencode(),
        }
        return self.render_page(context)
