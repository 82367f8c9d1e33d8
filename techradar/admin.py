"""Curator screens for radars and entries; ring changes made here go through ``move_entry``."""

from __future__ import annotations

from django.contrib import admin, messages

from catalog.audit import record_write

from .models import Quadrant, Radar, RadarEntry, Ring, TimelineItem
from .services import move_entry
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
        super().save_model(request, obj, form, change)
        record_write("techradar.radar.admin_change" if change else "techradar.radar.create", f"radar:{obj.slug}")


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
        target = f"radar:{obj.radar.slug}/{obj.key}"
        record_write(
            "techradar.entry.admin_change" if change else "techradar.entry.create", target, fields=form.changed_data
        )
        if not change:
            super().save_model(request, obj, form, change)
            TimelineItem.objects.create(
                entry=obj, sequence=0, date=obj.updated_at, ring=obj.ring, description="Added in the admin"
            )
            return
        new_ring = obj.ring
        if "ring" in form.changed_data:
            obj.ring_id = form.initial["ring"]
        super().save_model(request, obj, form, change)
        if "ring" in form.changed_data:
            try:
                move_entry(obj, new_ring, "Moved in the admin")
            except RadarEditError as error:
                messages.error(request, str(error))
            obj.refresh_from_db()
