"""Forms of the catalog's curator screens: an entity's body as YAML, and registering a location."""

from __future__ import annotations

from typing import Any

import yaml
from django import forms

from .formats.yaml_reader import YamlFileError, parse_documents
from .models import Entity, Location
from .services import LocationError, validate_location_spec
from .services.entities import EntityBodyError, prepare_entity_body
from .services.location_targets import check_location_target
from .services.locations import LOCATION_TYPES

MAX_BODY_BYTES = 4 * 1024 * 1024


def body_as_yaml(body: dict[str, Any]) -> str:
    """The body a curator edits: everything but the server-assigned uid and etag."""
    metadata = {key: value for key, value in body.get("metadata", {}).items() if key not in ("uid", "etag")}
    return yaml.safe_dump({**body, "metadata": metadata}, sort_keys=False, allow_unicode=True, width=100)


class EntityBodyForm(forms.ModelForm):
    """The entity's body as YAML, read by the catalog's YAML reader and validated as ingestion does."""

    body_yaml = forms.CharField(
        label="Body (YAML)",
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false", "class": "vLargeTextField"}),
        help_text="Validated as the catalog validates files. The next change to the source file overwrites this edit.",
    )

    class Meta:
        model = Entity
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["body_yaml"].initial = body_as_yaml(self.instance.body)

    def clean_body_yaml(self) -> str:
        text = self.cleaned_data["body_yaml"]
        try:
            documents = parse_documents(text.encode(), source="body", max_bytes=MAX_BODY_BYTES)
        except YamlFileError as error:
            raise forms.ValidationError(str(error)) from None
        if len(documents) != 1:
            raise forms.ValidationError("Write exactly one YAML document (the entity).")
        if documents[0].error:
            raise forms.ValidationError(documents[0].error)
        try:
            self.prepared = prepare_entity_body(self.instance, documents[0].data)
        except EntityBodyError as error:
            raise forms.ValidationError([str(item) for item in error.errors]) from None
        self.new_body = documents[0].data
        return text


class LocationAddForm(forms.ModelForm):
    """Registering a location from the admin, refused as the API refuses it.

    ``trusted`` (set per request by the admin) says a platform admin is registering: only then may the
    target be on this machine.
    """

    trusted = False

    type = forms.ChoiceField(choices=[(name, name) for name in LOCATION_TYPES])
    presence = forms.ChoiceField(choices=[("required", "required"), ("optional", "optional")])

    class Meta:
        model = Location
        fields = ["type", "target", "presence"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            spec = validate_location_spec(cleaned["type"], cleaned["target"], cleaned["presence"])
            check_location_target(spec, trusted=self.trusted)
        except LocationError as error:
            raise forms.ValidationError({"target": str(error)}) from None
        if Location.objects.filter(type=spec.type, target=spec.target).exists():
            raise forms.ValidationError({"target": f"{spec.type}:{spec.target} is already registered"})
        self.spec = spec
        return cleaned
