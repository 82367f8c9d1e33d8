"""Curator screens: checks with the rule edited as YAML (validated by the rule parser), tracks with
levels inline, campaigns, and facts read-only. Saves and deletes go through
``soundcheck.services.definitions`` (one audit event per check or track)."""

from __future__ import annotations

from typing import Any

import yaml
from django import forms
from django.contrib import admin

from catalog.formats.yaml_reader import YamlFileError, parse_documents
from portal.admin_bases import ReadOnlyAdmin

from .models import Check, EvaluationRun, Fact, Level, Track
from .rules import RuleError, parse_rule
from .selection import EntityFilterError, normalize_entity_filter
from .services.definitions import delete_definitions, save_definition


def _yaml_value(text: str, field: str) -> Any:
    """A YAML value read with the catalog's hardened YAML 1.2 reader (wrapped so any root works)."""
    indented = "\n".join(f"  {line}" for line in text.splitlines())
    try:
        documents = parse_documents(f"value:\n{indented}\n".encode(), source=field, max_bytes=64 * 1024)
    except YamlFileError as error:
        raise forms.ValidationError(str(error)) from None
    if not documents or documents[0].data is None:
        raise forms.ValidationError(documents[0].error if documents else "empty")
    return documents[0].data.get("value")


class CheckForm(forms.ModelForm):
    rule = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10, "class": "vLargeTextField"}),
        help_text="YAML, e.g. {fact: catalog.owner, exists: true}; see docs/soundcheck.md.",
    )

    class Meta:
        model = Check
        fields = ["key", "name", "description", "rule", "fail_message", "fix"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["rule"] = yaml.safe_dump(self.instance.rule, sort_keys=False)

    def clean_rule(self) -> dict[str, Any]:
        try:
            return parse_rule(_yaml_value(self.cleaned_data["rule"], "rule"))
        except RuleError as error:
            raise forms.ValidationError(str(error)) from None


def _clean_filter(form: forms.ModelForm) -> dict:
    try:
        return normalize_entity_filter(form.cleaned_data.get("entity_filter") or {})
    except EntityFilterError as error:
        raise forms.ValidationError(str(error)) from None


class TrackForm(forms.ModelForm):
    class Meta:
        model = Track
        fields = ["key", "name", "description", "entity_filter", "owner_ref"]

    clean_entity_filter = _clean_filter


class DefinitionAdmin(admin.ModelAdmin):
    """A check or track is stored with its inline rows (a track's levels) by one service call."""

    def save_model(self, request, obj, form, change) -> None:
        pass  # stored with its related rows in save_related, by the service

    def save_related(self, request, form, formsets, change) -> None:
        save_definition(
            form.instance,
            save_related=lambda: super(DefinitionAdmin, self).save_related(request, form, formsets, change),
            details={"changed": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj) -> None:
        delete_definitions([obj])

    def delete_queryset(self, request, queryset) -> None:
        delete_definitions(queryset)


@admin.register(Check)
class CheckAdmin(DefinitionAdmin):
    form = CheckForm
    list_display = ["key", "name", "source", "updated_at"]
    list_filter = ["source"]
    search_fields = ["key", "name"]
    readonly_fields = ["source", "source_location"]


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0
    filter_horizontal = ["checks"]


@admin.register(Track)
class TrackAdmin(DefinitionAdmin):
    form = TrackForm
    inlines = [LevelInline]
    list_display = ["key", "name", "source", "updated_at"]
    list_filter = ["source"]
    search_fields = ["key", "name"]
    readonly_fields = ["source", "source_location"]


# Campaigns are registered by soundcheck.campaign_admin with the campaign pages' form.


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "seconds", "entities", "results", "changed_entities",
                    "check_changes", "errors", "removed"]  # fmt: skip
    ordering = ["-started_at"]


@admin.register(Fact)
class FactAdmin(ReadOnlyAdmin):
    list_display = ["entity_ref", "name", "value", "collector", "collected_at"]
    list_filter = ["collector"]
    search_fields = ["entity_ref", "name"]
