"""The overview and the team, system and organisation views: read as the catalog pages are."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from catalog.lookups.ownership import entities_by_ref, organisation_of
from catalog.models import Entity, Relation
from portal.views import ReadAccessMixin

from ..models import Campaign, Track, TrackResult
from ..scopes import group_tree, system_parts
from .scope import scoped_tracks

BOARD_TOP_AND_BOTTOM = 5


def entity_or_404(kind: str, namespace: str, name: str) -> Entity:
    return Entity.objects.for_output().get_by_name_or_404(kind, namespace, name)


def root_groups(limit: int = 50) -> list[str]:
    """Groups with child groups and no parent: the organisations (one query)."""
    rows = Relation.objects.filter(type__in=("parentOf", "childOf")).values_list("type", "source_ref", "target_ref")
    parents, children = set(), set()
    for relation, source, target in rows:
        parent, child = (source, target) if relation == "parentOf" else (target, source)
        parents.add(parent)
        children.add(child)
    return sorted(ref for ref in parents - children if ref.startswith("group:"))[:limit]


def _named(refs: list[str]) -> list[dict[str, str]]:
    """Namespace, name and title of each ref (one query), in the order given."""
    summaries = entities_by_ref(set(refs), with_profile=True)
    named = []
    for ref in refs:
        namespace, _, name = ref.partition(":")[2].partition("/")
        summary = summaries.get(ref)
        named.append({"namespace": namespace, "name": name, "title": summary.display_name if summary else name})
    return named


class OverviewView(ReadAccessMixin, View):
    """Every track: how many entities hold each level, and the teams at the top and the bottom."""

    def get(self, request: HttpRequest) -> HttpResponse:
        # One track at a time, picked from a list of them all: every track on one page scrolled for
        # thousands of pixels.
        measured = list(Track.objects.filter(pk__in=TrackResult.objects.values("track")).only("key", "name"))
        current = next((track for track in measured if track.key == request.GET.get("track")), None)
        current = current or (measured[0] if measured else None)
        results = TrackResult.objects.filter(track=current) if current else TrackResult.objects.none()
        tracks = scoped_tracks(results, with_shortfalls=False, board_limit=BOARD_TOP_AND_BOTTOM)
        organisations = root_groups()
        systems = Entity.objects.filter(ref__startswith="system:").order_by("name")[:50]
        context = {
            "tracks": tracks,
            "measured_tracks": measured,
            "current_track": current,
            "board_limit": BOARD_TOP_AND_BOTTOM,
            "organisations": _named(organisations),
            "systems": list(systems.values("namespace", "name", "title")),
            "campaign_count": Campaign.objects.count(),
        }
        return render(request, "soundcheck/overview.html", context)


class TeamView(ReadAccessMixin, View):
    """A team's entities (``?children=1``: with its child teams'), and its child teams ranked."""

    def get(self, request: HttpRequest, namespace: str, name: str) -> HttpResponse:
        group = entity_or_404("group", namespace, name)
        tree = group_tree(group.ref)
        with_children = request.GET.get("children") == "1"
        owners = [group.ref, *tree] if with_children else [group.ref]
        results = TrackResult.objects.filter(owner_ref__in=owners)
        subtree = TrackResult.objects.filter(owner_ref__in=[group.ref, *tree])
        rollup = {ref: top for ref, top in tree.items()}
        _, parents = organisation_of(group.ref)
        context = {
            "group": group,
            "with_children": with_children,
            "has_children": bool(tree),
            "organisation": _named([parents[-1]])[0] if parents else None,
            "tracks": scoped_tracks(results, board_results=subtree, rollup=rollup),
        }
        return render(request, "soundcheck/team.html", context)


class SystemView(ReadAccessMixin, View):
    """The entities that are part of a system, and their owners ranked."""

    def get(self, request: HttpRequest, namespace: str, name: str) -> HttpResponse:
        system = entity_or_404("system", namespace, name)
        results = TrackResult.objects.filter(entity_ref__in=system_parts(system.ref))
        context = {"system": system, "tracks": scoped_tracks(results)}
        return render(request, "soundcheck/system.html", context)


class OrganisationView(ReadAccessMixin, View):
    """Every group below a root group, each ranked on its own entities."""

    def get(self, request: HttpRequest, namespace: str, name: str) -> HttpResponse:
        root = entity_or_404("group", namespace, name)
        groups = [root.ref, *group_tree(root.ref)]
        results = TrackResult.objects.filter(owner_ref__in=groups)
        context: dict[str, Any] = {
            "root": root,
            "group_count": len(groups),
            "tracks": scoped_tracks(results, rollup={ref: ref for ref in groups}),
        }
        return render(request, "soundcheck/organisation.html", context)
