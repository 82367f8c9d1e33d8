"""Campaigns in the Django admin, with the same form (and checks) and the same service as the campaign pages."""

from __future__ import annotations

from django.contrib import admin

from .forms import CampaignForm
from .models import Campaign
from .services.campaigns import delete_campaigns, save_campaign


class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    list_display = ["key", "name", "track", "target_level", "rule_check", "starts_on", "deadline", "send_reminders"]
    list_filter = ["send_reminders", "source", "track"]
    list_select_related = ["track", "rule_check"]
    search_fields = ["key", "name", "description"]
    readonly_fields = ["last_reminded_at", "source", "source_location", "created_at"]
    fieldsets = [
        (None, {"fields": ["key", "name", "description", "owner_ref"]}),
        ("Goal", {"fields": ["track", "target_level", "rule_check"]}),
        ("Targets", {"fields": ["filter_kind", "filter_type", "filter_lifecycle", "filter_tags", "filter_owner"]}),
        ("Dates and reminders", {"fields": ["starts_on", "deadline", "send_reminders", "last_reminded_at"]}),
        ("Source", {"fields": ["source", "source_location", "created_at"]}),
    ]

    def save_model(self, request, obj: Campaign, form, change) -> None:
        save_campaign(obj, changed=form.changed_data)

    def delete_model(self, request, obj: Campaign) -> None:
        delete_campaigns([obj])

    def delete_queryset(self, request, queryset) -> None:
        delete_campaigns(queryset)


def register() -> None:
    if not admin.site.is_registered(Campaign):
        admin.site.register(Campaign, CampaignAdmin)
