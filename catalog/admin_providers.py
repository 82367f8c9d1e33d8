"""Curator screen for entity providers: each provider's last run and error, and "run now"."""

from __future__ import annotations

from django.contrib import admin, messages

from portal.admin_bases import ReadOnlyAdmin

from .models import ProviderState
from .services.providers import request_provider_run


@admin.register(ProviderState)
class ProviderStateAdmin(ReadOnlyAdmin):
    """Read-only: the state is written by runs; the one action asks for a run."""

    list_display = (
        "provider_id",
        "provider_type",
        "status",
        "last_finished_at",
        "duration_seconds",
        "entity_count",
        "added",
        "changed",
        "removed",
        "consecutive_failures",
        "last_error",
    )
    list_filter = ("provider_type",)
    search_fields = ("provider_id",)
    actions = ("run_now",)
    readonly_fields = [field.name for field in ProviderState._meta.fields]

    @admin.action(description="Run the selected providers now")
    def run_now(self, request, queryset) -> None:
        for state in queryset:
            request_provider_run(state)
        messages.success(request, f"Asked for {queryset.count()} provider run(s).")
