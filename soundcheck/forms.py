"""The campaign form platform admins fill in: a goal (a track level, or one check), dates, targets."""

from __future__ import annotations

from typing import Any

from django import forms

from catalog.models import Entity

from .models import Campaign, Level
from .selection import FILTER_KEYS

# The keys with a text field each; Backstage filter expressions (``filter``) are kept as they are.
FORM_KEYS = [key for key in FILTER_KEYS if key != "filter"]
RESERVED_KEYS = frozenset({"new"})  # /soundcheck/campaigns/new/ is the create page


def _split(text: str) -> list[str]:
    return [item.strip() for item in (text or "").replace("\n", ",").split(",") if item.strip()]


def level_choices() -> list[tuple[Any, Any]]:
    """The target level's options: each track's levels, grouped under the track (one query)."""
    grouped: dict[str, list[tuple[int, str]]] = {}
    for level in Level.objects.select_related("track").order_by("track__name", "ordinal"):
        grouped.setdefault(level.track.name, []).append((level.ordinal, f"L{level.ordinal} · {level.name}"))
    return [("", "No level (the goal is a check)"), *grouped.items()]


# The sections of the campaign page's form, in order: (legend, field names).
SECTIONS = [
    ("The campaign", ["key", "name", "description"]),
    ("Goal", ["track", "target_level", "rule_check"]),
    ("When", ["starts_on", "deadline"]),
    ("Who", ["owner_ref", "send_reminders"]),
    ("Which entities", [f"filter_{key}" for key in FORM_KEYS]),
]


class CampaignForm(forms.ModelForm):
    """The model's fields, with the entity filter as one comma-separated text field per key."""

    filter_kind = forms.CharField(required=False, label="Kinds", help_text="e.g. Component, API")
    filter_type = forms.CharField(required=False, label="Types", help_text="e.g. service, website")
    filter_lifecycle = forms.CharField(required=False, label="Lifecycles", help_text="e.g. production")
    filter_tags = forms.CharField(required=False, label="Tags", help_text="e.g. python, pci")
    filter_owner = forms.CharField(required=False, label="Owners", help_text="e.g. team-a, group:default/team-b")

    class Meta:
        model = Campaign
        fields = [
            "key",
            "name",
            "description",
            "track",
            "target_level",
            "rule_check",
            "starts_on",
            "deadline",
            "owner_ref",
            "send_reminders",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"key": "Key", "rule_check": "Check", "target_level": "Level to reach", "owner_ref": "Owner"}
        help_texts = {
            "key": "Lowercase letters, digits and dashes: the campaign's address, fixed once saved.",
            "track": "A track and the level its entities should reach …",
            "rule_check": "… or one check they should pass. Choose one of the two.",
            "owner_ref": "The team running the campaign, e.g. group:default/platform.",
            "send_reminders": "Email the owners of entities not there yet, as the deadline nears.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["track"].empty_label = "No track (the goal is a check)"
        self.fields["rule_check"].empty_label = "No check (the goal is a track level)"
        self.fields["target_level"].widget = forms.Select(choices=level_choices())
        self.fields["owner_ref"].widget.attrs.update({"list": "campaign-owners", "autocomplete": "off"})
        current = self.instance.entity_filter or {}
        for key in FORM_KEYS:
            values = current.get(key) or []
            self.fields[f"filter_{key}"].initial = ", ".join(values if isinstance(values, list) else [str(values)])
        if self.instance.pk:
            self.fields["key"].disabled = True  # the key is the campaign's address

    def owner_options(self) -> list[tuple[str, str]]:
        """``(ref, title)`` of every group, offered as the owner picker's suggestions."""
        groups = Entity.objects.of_kind("group").order_by("name").values_list("ref", "title", "name")
        return [(ref, title or name) for ref, title, name in groups]

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields by section (``SECTIONS``), as the campaign page shows them."""
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in SECTIONS]

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        if key in RESERVED_KEYS:
            raise forms.ValidationError(f"“{key}” is reserved; choose another key.")
        return key

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        track, level, check = cleaned.get("track"), cleaned.get("target_level"), cleaned.get("rule_check")
        if track and check:
            self.add_error("rule_check", "Choose a track level or a check as the goal, not both.")
        elif not track and not check:
            self.add_error("track", "Choose a goal: a track with a target level, or a check.")
        elif track and level is None:
            self.add_error("target_level", f"Choose the level of “{track.name}” to reach.")
        elif track and not Level.objects.filter(track=track, ordinal=level).exists():
            ordinals = list(Level.objects.filter(track=track).values_list("ordinal", flat=True))
            self.add_error("target_level", f"“{track.name}” has no level {level} (it has {ordinals or 'none'}).")
        elif check and level is not None:
            self.add_error("target_level", "A check goal has no level; leave it empty.")
        starts_on, deadline = cleaned.get("starts_on"), cleaned.get("deadline")
        if starts_on and deadline and deadline < starts_on:
            self.add_error("deadline", "The deadline is before the start.")
        return cleaned

    def campaign(self) -> Campaign:
        """The campaign as filled in (once ``is_valid()``), unsaved: storing it, and recording it in the
        audit log, is ``soundcheck.services.campaigns.save_campaign``'s job."""
        if self.errors:
            raise ValueError("The campaign could not be built because the data didn't validate.")
        stored = self.instance.entity_filter
        expressions = stored.get("filter") if isinstance(stored, dict) else None
        self.instance.entity_filter = {
            key: values for key in FORM_KEYS if (values := _split(self.cleaned_data.get(f"filter_{key}", "")))
        } | ({"filter": expressions} if expressions else {})
        self.save_m2m = self._save_m2m  # the admin calls it after saving; a campaign has no many-to-many field
        return self.instance

    def save(self, commit: bool = True) -> Campaign:
        """``campaign()``, for the admin, which asks with ``commit=False``; the form never stores itself."""
        if commit:
            raise ValueError("CampaignForm stores nothing: pass form.campaign() to services.campaigns.save_campaign")
        return self.campaign()
