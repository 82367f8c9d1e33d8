"""Curator screens for radars and entries; every save and delete goes through ``services.curation``,
where a ring changed here is a move under ``move_entry``'s rules."""

from __future__ import annotations

from django.contrib import admin, messages

from .models import Quadrant, Radar, RadarEntry, Ring, TimelineItem
from .services import curation
from .services.entries import RadarEditError


class QuadrantInline(admin.TabularInline):
    model = Quadrant
    extra = 0
    max_num = 4


class RingInline(admin.TabularInline):
    model = Ring
    extra = 0


@admin.register(Radar)
class RadarAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "source", "synced_at"]
    readonly_fields = ["source", "synced_at", "sync_error"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuadrantInline, RingInline]

    def save_model(self, request, obj: Radar, form, change) -> None:
        curation.save_radar(obj, created=not change, changed_fields=form.changed_data)

    def save_formset(self, request, form, formset, change) -> None:
        curation.save_radar_parts(formset)

    def delete_model(self, request, obj: Radar) -> None:
        curation.delete_radar(obj)

    def delete_queryset(self, request, queryset) -> None:
        for radar in queryset:
            curation.delete_radar(radar)


class TimelineInline(admin.TabularInline):
    """The timeline is a record: rows are read here; moves append them."""

    model = TimelineItem
    fk_name = "entry"
    extra = 0
    can_delete = False
    fields = ["date", "from_ring", "ring", "moved", "description"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RadarEntry)
class RadarEntryAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "radar", "quadrant", "ring", "updated_at"]
    list_filter = ["radar", "quadrant__name", "ring__name"]
    search_fields = ["title", "key"]
    list_select_related = ["radar", "quadrant", "ring"]
    inlines = [TimelineInline]
    fields = ["radar", "key", "entry_id", "title", "quadrant", "ring", "description", "links", "url", "position"]

    def get_readonly_fields(self, request, obj=None):
        # An existing entry's radar and key are its identity; a new one starts its timeline on save.
        return ["radar", "key"] if obj else []

    def save_model(self, request, obj: RadarEntry, form, change) -> None:
        if not change:
            curation.add_entry(obj)
            return
        ring_before = Ring.objects.get(pk=form.initial["ring"])
        try:
            curation.edit_entry(obj, form.changed_data, ring_before=ring_before)
        except RadarEditError as error:
            messages.error(request, str(error))

    def delete_model(self, request, obj: RadarEntry) -> None:
        curation.delete_entry(obj)

    def delete_queryset(self, request, queryset) -> None:
        for entry in queryset.select_related("radar"):
            curation.delete_entry(entry)
