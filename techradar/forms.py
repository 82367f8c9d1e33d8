"""The in-portal editor's forms; they check input, the services make the change."""

from __future__ import annotations

from django import forms

from .format import KEY_PATTERN
from .models import Quadrant, Radar, Ring


class LinksField(forms.CharField):
    """One link a line: ``Title | https://...``; a line without a title uses the URL as its title."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value) -> tuple[dict[str, str], ...]:
        links = []
        for number, line in enumerate((value or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            title, separator, url = line.rpartition("|")
            url = url.strip()
            title = title.strip() if separator else url
            if not url.lower().startswith(("http://", "https://", "mailto:")):
                raise forms.ValidationError(f"line {number}: {url[:80]!r} is not an http(s) or mailto URL")
            links.append({"url": url, "title": title or url})
        return tuple(links)

    def prepare_value(self, value) -> str:
        if isinstance(value, (list, tuple)):
            return "\n".join(f"{link.get('title', '')} | {link.get('url', '')}" for link in value)
        return value


class EntryForm(forms.Form):
    title = forms.CharField(max_length=200)
    quadrant = forms.ModelChoiceField(queryset=Quadrant.objects.none(), empty_label=None)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}), help_text="Markdown.")
    links = LinksField(required=False, help_text="One link a line: Title | https://…")

    def __init__(self, *args, radar: Radar, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["quadrant"].queryset = radar.quadrants.all()


class NewEntryForm(EntryForm):
    key = forms.CharField(
        max_length=200, help_text="Letters, digits, '.', '_' and '-'; components tagged with it are linked."
    )
    ring = forms.ModelChoiceField(queryset=Ring.objects.none(), empty_label=None)
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Why it is on the radar."
    )

    field_order = ["key", "title", "quadrant", "ring", "reason", "description", "links"]

    def __init__(self, *args, radar: Radar, **kwargs) -> None:
        super().__init__(*args, radar=radar, **kwargs)
        self.fields["ring"].queryset = radar.rings.all()

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if not KEY_PATTERN.fullmatch(key):
            raise forms.ValidationError("Use letters, digits, '.', '_' and '-', starting with a letter or digit.")
        return key


class MoveForm(forms.Form):
    ring = forms.ModelChoiceField(queryset=Ring.objects.none(), empty_label=None)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Kept in the entry's timeline.")

    def __init__(self, *args, radar: Radar, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ring"].queryset = radar.rings.all()


class MovedPeriodForm(forms.Form):
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["since"] > cleaned["until"]:
            raise forms.ValidationError("The period's start comes after its end.")
        return cleaned
