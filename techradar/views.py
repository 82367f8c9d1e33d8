"""The Tech Radar's pages: the picture, the table, an entry, what moved, and the editor."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from catalog.formats.safe_urls import safe_link_url
from portal.markdown import render_markdown
from portal.permissions import is_platform_admin
from portal.views import ReadAccessMixin

from .forms import EntryForm, MovedPeriodForm, MoveForm, NewEntryForm
from .models import Radar, RadarEntry, TimelineItem
from .picture import build_picture
from .services import EntryChange, create_entry, move_entry, update_entry
from .services.entries import RadarEditError
from .usage import annotation_key, users_of

MOVED_DEFAULT_DAYS = 90


def _radar(slug: str) -> Radar:
    return get_object_or_404(Radar, slug=slug)


def _filters(request: HttpRequest, radar: Radar) -> dict[str, Any]:
    """The quadrant and ring filters from the query string; unknown values are ignored, not errors."""
    quadrants, rings = list(radar.quadrants.all()), list(radar.rings.all())
    quadrant = request.GET.get("quadrant", "")
    ring = request.GET.get("ring", "")
    return {
        "quadrants": quadrants,
        "rings": rings,
        "quadrant": quadrant if any(item.key == quadrant for item in quadrants) else "",
        "ring": ring if any(item.key == ring for item in rings) else "",
    }


class RadarIndexView(ReadAccessMixin, View):
    """``/tech-radar/``: the default radar, or the first one, or a page saying there is none yet."""

    def get(self, request: HttpRequest) -> HttpResponse:
        radar = Radar.objects.filter(slug=settings.TECH_RADAR["DEFAULT_RADAR"]).first() or Radar.objects.first()
        if radar is None:
            return render(request, "techradar/empty.html", {"can_edit": is_platform_admin(request.user)})
        return redirect(radar)


class RadarDetailView(ReadAccessMixin, View):
    """The radar drawn as SVG with its legend; filters by quadrant and ring in the query string."""

    template_name = "techradar/radar_detail.html"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        radar = _radar(slug)
        filters = _filters(request, radar)
        picture = build_picture(
            radar,
            quadrant_key=filters["quadrant"],
            ring_key=filters["ring"],
            quadrants=filters["quadrants"],
            rings=filters["rings"],
        )
        context = {
            "radar": radar,
            "picture": picture,
            "filters": filters,
            "other_radars": Radar.objects.exclude(pk=radar.pk),
            "can_edit": is_platform_admin(request.user),
            "view": "picture",
        }
        return render(request, self.template_name, context)


class RadarTableView(RadarDetailView):
    """The same entries as a table: the radar for keyboard and screen-reader users."""

    template_name = "techradar/radar_table.html"


class EntryDetailView(ReadAccessMixin, View):
    """One entry: description, timeline, links, and the catalog entities using it with their owners."""

    def get(self, request: HttpRequest, slug: str, key: str) -> HttpResponse:
        entry = get_object_or_404(RadarEntry.objects.for_display(), radar__slug=slug, key=key)
        timeline = list(entry.timeline.select_related("ring", "from_ring"))
        links = [
            {"title": link.get("title") or link.get("url"), "url": safe_link_url(link.get("url"))}
            for link in entry.links
        ]
        context = {
            "radar": entry.radar,
            "entry": entry,
            "description": render_markdown(entry.description or (timeline[0].description if timeline else "")),
            "timeline": timeline,
            "links": links,
            "legacy_url": safe_link_url(entry.url),
            "users": users_of([entry]).get(entry.pk, []),
            "annotation": annotation_key(),
            "can_edit": is_platform_admin(request.user),
        }
        return render(request, "techradar/entry_detail.html", context)


class WhatMovedView(ReadAccessMixin, View):
    """Ring changes (and new entries) dated in a chosen period; the last 90 days by default."""

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        radar = _radar(slug)
        form = MovedPeriodForm(request.GET or None)
        today = timezone.now().date()
        since, until = today - timedelta(days=MOVED_DEFAULT_DAYS), today
        if form.is_bound and form.is_valid():
            since = form.cleaned_data["since"] or since
            until = form.cleaned_data["until"] or until
        start = datetime.combine(since, time.min, tzinfo=UTC)
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=UTC)
        changes = list(TimelineItem.objects.filter(entry__radar=radar).between(start, end))
        context = {"radar": radar, "form": form, "since": since, "until": until, "changes": changes}
        return render(request, "techradar/what_moved.html", context)


def _initial(entry: RadarEntry) -> dict[str, Any]:
    return {"title": entry.title, "quadrant": entry.quadrant, "description": entry.description, "links": entry.links}


class EditorMixin(ReadAccessMixin):
    """Editing is for platform admins only: others get 403 (anonymous people the sign-in page)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_platform_admin(request.user):
            raise PermissionDenied("Only platform admins edit the Tech Radar.")
        return super().dispatch(request, *args, **kwargs)

    @staticmethod
    def refuse(form, error: RadarEditError) -> None:
        field = error.field.split("[")[0]
        form.add_error(field if field in form.fields else None, error.message)


class EntryCreateView(EditorMixin, View):
    template_name = "techradar/entry_form.html"

    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        radar = _radar(slug)
        return render(request, self.template_name, {"radar": radar, "form": NewEntryForm(radar=radar), "is_new": True})

    def post(self, request: HttpRequest, slug: str) -> HttpResponse:
        radar = _radar(slug)
        form = NewEntryForm(request.POST, radar=radar)
        if form.is_valid():
            data = form.cleaned_data
            change = EntryChange(data["title"], data["quadrant"], data["description"], data["links"])
            try:
                entry = create_entry(radar, data["key"], change, data["ring"], reason=data["reason"])
            except RadarEditError as error:
                self.refuse(form, error)
            else:
                messages.success(request, f"{entry.title} is on the radar in {entry.ring.name}.")
                return redirect(entry)
        return render(request, self.template_name, {"radar": radar, "form": form, "is_new": True}, status=400)


class EntryEditView(EditorMixin, View):
    template_name = "techradar/entry_form.html"

    def _entry(self, slug: str, key: str) -> RadarEntry:
        return get_object_or_404(RadarEntry.objects.for_display(), radar__slug=slug, key=key)

    def get(self, request: HttpRequest, slug: str, key: str) -> HttpResponse:
        entry = self._entry(slug, key)
        context = {
            "radar": entry.radar,
            "entry": entry,
            "form": EntryForm(initial=_initial(entry), radar=entry.radar),
            "move_form": MoveForm(initial={"ring": entry.ring}, radar=entry.radar),
        }
        return render(request, self.template_name, context)

    def post(self, request: HttpRequest, slug: str, key: str) -> HttpResponse:
        entry = self._entry(slug, key)
        form = EntryForm(request.POST, radar=entry.radar)
        if form.is_valid():
            data = form.cleaned_data
            try:
                update_entry(entry, EntryChange(data["title"], data["quadrant"], data["description"], data["links"]))
            except RadarEditError as error:
                self.refuse(form, error)
            else:
                messages.success(request, "Saved.")
                return redirect(entry)
        move_form = MoveForm(initial={"ring": entry.ring}, radar=entry.radar)
        context = {"radar": entry.radar, "entry": entry, "form": form, "move_form": move_form}
        return render(request, self.template_name, context, status=400)


class EntryMoveView(EntryEditView):
    """Move to another ring with a reason; the timeline gains an item."""

    def get(self, request: HttpRequest, slug: str, key: str) -> HttpResponse:
        raise Http404

    def post(self, request: HttpRequest, slug: str, key: str) -> HttpResponse:
        entry = self._entry(slug, key)
        move_form = MoveForm(request.POST, radar=entry.radar)
        if move_form.is_valid():
            try:
                move_entry(entry, move_form.cleaned_data["ring"], move_form.cleaned_data["reason"])
            except RadarEditError as error:
                self.refuse(move_form, error)
            else:
                messages.success(request, f"Moved to {move_form.cleaned_data['ring'].name}.")
                return redirect(entry)
        context = {
            "radar": entry.radar,
            "entry": entry,
            "form": EntryForm(initial=_initial(entry), radar=entry.radar),
            "move_form": move_form,
        }
        return render(request, self.template_name, context, status=400)
