"""One form page's fields for rendering: widget, label, help, choices, current value and error.

Each property the page shows (conditional ones resolved for the current values) becomes a
``FormField`` whose widget follows rjsf's rules: ``ui:field`` first (pickers), then ``ui:widget``,
then the JSON type (enum -> select, boolean -> checkbox, array of strings -> one item per line,
object -> a fieldset of its properties). Reading a POST back is in ``form_values``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from portal.links import reverse_or_empty

from . import pickers, tag_picker
from .field_rules import KNOWN_UI_FIELDS, KNOWN_UI_WIDGETS, ui_options
from .parameters import ParameterPage, visible_fields


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    selected: bool = False


@dataclass
class FormField:
    """Everything the field template needs; ``name`` is the dotted value path and the input's name."""

    name: str
    html_id: str
    label: str
    widget: str
    description: str = ""
    help: str = ""
    placeholder: str = ""
    required: bool = False
    autofocus: bool = False
    readonly: bool = False
    controlling: bool = False
    text: str = ""
    checked: bool = False
    choices: list[Choice] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    children: list[FormField] = field(default_factory=list)
    unknown_extension: str = ""
    suggest_url: str = ""
    # A multiple picker's text input for more items (beside the checkboxes of the chosen ones).
    accepts_more: bool = False
    note: str = ""

    @property
    def describedby(self) -> str:
        ids = [f"{self.html_id}-description" if self.description else "", f"{self.html_id}-help" if self.help else ""]
        ids.append(f"{self.html_id}-error" if self.error else "")
        return " ".join(part for part in ids if part)


def option_text(option: Any) -> str:
    """How an enum option travels in a form: strings as they are, anything else as JSON."""
    return option if isinstance(option, str) else json.dumps(option)


def enum_labels(schema: dict[str, Any], ui: dict[str, Any]) -> list[str]:
    options = schema.get("enum") or []
    names = ui.get("ui:enumNames") or schema.get("enumNames") or []
    return [str(names[index]) if index < len(names) else option_text(option) for index, option in enumerate(options)]


def html_id(name: str) -> str:
    return "field-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


def build_fields(
    page: ParameterPage, values: dict[str, Any], errors: dict[str, str], template_ref: str = "", user: Any = None
) -> list[FormField]:
    """The page's fields for ``values`` with ``errors`` (by dotted name) attached; pickers offer ``user``'s choices."""
    visible = visible_fields(page, values)
    return [
        _field(
            name,
            schema,
            page.ui_schema.get(name) or {},
            values.get(name),
            required=name in visible.required,
            errors=errors,
            controlling=name in visible.controlling,
            template_ref=template_ref,
            user=user,
        )
        for name, schema in visible.properties.items()
    ]


def widget_of(schema: dict[str, Any], ui: dict[str, Any]) -> str:
    """The widget a property renders with."""
    ui_field, ui_widget = ui.get("ui:field"), ui.get("ui:widget")
    kind = schema.get("type")
    if ui_field == "RepoUrlPicker":
        return "repo_url"
    if ui_field in pickers.PICKER_FIELDS:
        return "picker"
    if ui_field in pickers.MULTI_PICKER_FIELDS:
        return "picker_multi"
    if ui_field == "Secret" or ui_widget == "password":
        return "password"
    if kind == "object" and isinstance(schema.get("properties"), dict):
        return "fieldset"
    if kind == "array":
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        return "checkboxes" if items.get("enum") else "lines"
    if "enum" in schema and isinstance(schema["enum"], list):
        return "radio" if ui_widget == "radio" else "select"
    if kind == "boolean":
        return ui_widget if ui_widget in ("radio", "select") else "checkbox"
    if kind in ("number", "integer"):
        return "number"
    if ui_widget in ("textarea", "hidden"):
        return ui_widget
    return "text"


def _field(
    name: str,
    schema: dict[str, Any],
    ui: dict[str, Any],
    value: Any,
    *,
    required: bool,
    errors: dict[str, str],
    controlling: bool = False,
    template_ref: str = "",
    user: Any = None,
) -> FormField:
    widget = widget_of(schema, ui)
    ui_field, ui_widget = ui.get("ui:field"), ui.get("ui:widget")
    unknown = ""
    if ui_field is not None and ui_field not in KNOWN_UI_FIELDS:
        unknown = str(ui_field)
    elif ui_widget is not None and ui_widget not in KNOWN_UI_WIDGETS:
        unknown = str(ui_widget)
    form_field = FormField(
        name=name,
        html_id=html_id(name),
        label=str(schema.get("title") or name.rsplit(".", 1)[-1]),
        widget=widget,
        description=str(schema.get("description") or ""),
        help=str(ui.get("ui:help") or (tag_picker.helper_text(ui) if ui_field == tag_picker.TAG_FIELD else "")),
        placeholder=str(ui.get("ui:placeholder") or ""),
        required=required,
        autofocus=ui.get("ui:autofocus") is True,
        readonly=ui.get("ui:readonly") is True or ui_options(ui).get("readonly") is True,
        controlling=controlling,
        error=errors.get(name, ""),
        unknown_extension=unknown,
    )
    if ui_field == "RepoBranchPicker" and "requestUserCredentials" in ui_options(ui):
        form_field.note = "The run uses the portal's own credentials for the repository; none are asked here."
    _fill(form_field, schema, ui, value, errors, template_ref, user)
    return form_field


def _fill(
    form_field: FormField,
    schema: dict[str, Any],
    ui: dict[str, Any],
    value: Any,
    errors: dict,
    template_ref: str,
    user: Any = None,
) -> None:
    widget = form_field.widget
    if widget == "fieldset":
        nested = value if isinstance(value, dict) else {}
        required = set(schema.get("required") or [])
        form_field.children = [
            _field(
                f"{form_field.name}.{child}",
                child_schema if isinstance(child_schema, dict) else {},
                ui.get(child) or {},
                nested.get(child),
                required=child in required,
                errors=errors,
                template_ref=template_ref,
                user=user,
            )
            for child, child_schema in schema["properties"].items()
        ]
    elif widget in ("select", "radio"):
        options = schema.get("enum") or []
        form_field.choices = [
            Choice(option_text(option), label, option == value and value is not None)
            for option, label in zip(options, enum_labels(schema, ui), strict=False)
        ]
    elif widget == "checkboxes":
        items = schema["items"]
        chosen = value if isinstance(value, list) else []
        form_field.choices = [
            Choice(option_text(option), label, option in chosen)
            for option, label in zip(items["enum"], enum_labels(items, ui.get("items") or {}), strict=False)
        ]
    elif widget == "checkbox":
        form_field.checked = value is True
    elif schema.get("type") == "boolean":
        form_field.choices = [Choice("true", "Yes", value is True), Choice("false", "No", value is False)]
    elif widget == "lines":
        form_field.text = "\n".join(str(item) for item in value) if isinstance(value, list) else ""
    elif widget == "repo_url":
        _fill_repo_url(form_field, ui, value)
    elif widget == "picker":
        _fill_picker(form_field, ui, value, template_ref, user)
    elif widget == "picker_multi":
        _fill_multi_picker(form_field, ui, value, template_ref, user)
    else:
        form_field.text = "" if value is None else option_text(value) if not isinstance(value, str) else value
    _constraints(form_field, schema)


def _constraints(form_field: FormField, schema: dict[str, Any]) -> None:
    """Hints for the browser; the server checks the same rules on every submission."""
    attrs = form_field.attrs
    for keyword, attribute in (
        ("minLength", "minlength"),
        ("maxLength", "maxlength"),
        ("minimum", "min"),
        ("maximum", "max"),
    ):
        if isinstance(schema.get(keyword), int | float) and not isinstance(schema.get(keyword), bool):
            attrs[attribute] = schema[keyword]
    if form_field.widget == "number":
        attrs["step"] = "1" if schema.get("type") == "integer" else "any"


def _fill_repo_url(form_field: FormField, ui: dict[str, Any], value: Any) -> None:
    from .field_rules import parse_repo_url

    options = ui_options(ui)
    parts = {"host": "", "owner": "", "repo": ""}
    if isinstance(value, str) and value:
        host, _, _ = value.partition("?")
        parts["host"] = host
        try:
            parsed = parse_repo_url(value)
            parts.update(owner=parsed.owner, repo=parsed.repo)
        except ValueError:
            pass
    hosts = [str(host) for host in options.get("allowedHosts") or []]
    owners = [str(owner) for owner in options.get("allowedOwners") or []]
    if not parts["host"] and hosts:
        parts["host"] = hosts[0]
    form_field.attrs["parts"] = parts
    form_field.attrs["hosts"] = [Choice(host, host, host == parts["host"]) for host in hosts]
    form_field.attrs["owners"] = [Choice(owner, owner, owner == parts["owner"]) for owner in owners]


def _suggest_url(template_ref: str, field_name: str) -> str:
    if not template_ref:
        return ""
    namespace, name = template_ref.split(":", 1)[1].split("/", 1)
    return reverse_or_empty("scaffolder:picker_options", namespace, name, field_name)


def _fill_picker(form_field: FormField, ui: dict[str, Any], value: Any, template_ref: str, user: Any) -> None:
    current = value if isinstance(value, str) else ""
    choices = pickers.picker_choices(ui, user=user)
    if len(choices) > pickers.SELECT_LIMIT or pickers.allows_arbitrary_values(ui):
        # Long lists (or free text): a text input whose suggestions come from the catalog as one types.
        form_field.widget = "picker_input"
        form_field.text = current
        form_field.choices = [Choice(choice.value, choice.label) for choice in choices[: pickers.SUGGESTION_LIMIT]]
        form_field.suggest_url = _suggest_url(template_ref, form_field.name)
        return
    form_field.widget = "picker_select"
    form_field.choices = [Choice(choice.value, choice.label, choice.value == current.lower()) for choice in choices]


def _fill_multi_picker(form_field: FormField, ui: dict[str, Any], value: Any, template_ref: str, user: Any) -> None:
    """Checkboxes: every offered item when they are few and nothing else is allowed; otherwise the chosen
    items, plus a text input (with catalog suggestions) for more."""
    chosen = [str(item) for item in value] if isinstance(value, list) else []
    offered = pickers.picker_choices(ui, user=user)
    labels = {choice.value: choice.label for choice in offered}
    if len(offered) <= pickers.SELECT_LIMIT and not pickers.allows_arbitrary_values(ui):
        # Chosen items the picker no longer offers stay listed, so they can be unticked.
        extra = [Choice(item, item, True) for item in chosen if item.lower() not in labels]
        form_field.choices = extra + [
            Choice(choice.value, choice.label, choice.value in {item.lower() for item in chosen}) for choice in offered
        ]
        return
    form_field.choices = [Choice(item, labels.get(item.lower(), item), True) for item in chosen]
    form_field.accepts_more = True
    form_field.attrs["suggestions"] = [
        Choice(choice.value, choice.label) for choice in offered if choice.value not in chosen
    ][: pickers.SUGGESTION_LIMIT]
    form_field.suggest_url = _suggest_url(template_ref, form_field.name)
