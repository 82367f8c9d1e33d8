"""Forms of the portal's own pages."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django import forms
from django.utils import timezone

from portal.models import ApiToken


class ApiTokenForm(forms.Form):
    """A new API token: what it is for, and optionally the last day it works."""

    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What the token is for, e.g. 'CI for the shop repo'.",
    )
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        help_text="The token stops working at the end of this day (UTC). Leave empty for no expiry.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day < timezone.now().date():
            raise forms.ValidationError("The expiry date is in the past.")
        return day

    @property
    def expires_at(self) -> datetime | None:
        """The expiry as a moment: the end of the chosen day in UTC."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.combine(day, time.max, tzinfo=UTC)
