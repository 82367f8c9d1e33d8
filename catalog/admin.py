"""Curator screens for locations, entities and their history."""

from django.contrib import admin, messages

from .models import Entity, EntityHistory, Location
from .services import delete_location
from .services.refresh_requests import request_refresh


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("location_ref", "origin", "status", "last_refreshed_at", "last_commit")
    list_filter = ("type", "origin", "status")
    search_fields = ("target",)
    readonly_fields = ("status", "errors", "last_commit", "last_refresh_started_at", "last_refreshed_at")
    actions = ("refresh_now",)

    @admin.action(description="Refresh selected locations in the background")
    def refresh_now(self, request, queryset):
        for location in queryset:
            request_refresh(location, reason="admin")
        messages.info(request, f"{queryset.count()} refresh(es) queued")

    def delete_model(self, request, obj):
        delete_location(obj)

    def delete_queryset(self, request, queryset):
        for location in queryset:
            delete_location(location)


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ("ref", "kind", "generation", "is_orphan", "updated_at")
    list_filter = ("kind", "is_orphan", "namespace")
    search_fields = ("ref",)
    list_select_related = ("location",)
    readonly_fields = (
        "ref",
        "kind",
        "namespace",
        "name",
        "body",
        "location",
        "location_key",
        "etag",
        "generation",
    )
    exclude = ("search", "content_hash")


@admin.register(EntityHistory)
class EntityHistoryAdmin(admin.ModelAdmin):
    list_display = ("entity_ref", "change", "generation", "commit", "recorded_at")
    list_filter = ("change",)
    search_fields = ("entity_ref",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
