"""A submitted form page read back into typed values, and the defaults a page starts with.

Only the fields the page showed are read: anything else in the POST is ignored. Text that does not
parse as its type (``"abc"`` for a number) is kept as text so validation names the field; empty
inputs leave the value out, as react-jsonschema-form does, so ``required`` catches them.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from django.http import QueryDict

from . import pickers
from .form_fields import option_text, widget_of
from .parameters import ParameterPage, schema_properties, visible_fields

# No single value may be longer than this, whatever the schema allows: the form's state travels
# with every step.
MAX_VALUE_LENGTH = 10_000


def with_defaults(page: ParameterPage, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` plus the ``default`` of every shown field that has no value yet (nested objects too)."""
    result = dict(values)
    for name, schema in visible_fields(page, result).properties.items():
        _default_into(result, name, schema)
    # A default may select a conditional branch whose fields have defaults of their own.
    for name, schema in visible_fields(page, result).properties.items():
        _default_into(result, name, schema)
    return result


def _default_into(target: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    if name not in target and "default" in schema:
        target[name] = schema["default"]
    if schema.get("type") == "object" and isinstance(schema.get("properties"), dict):
        nested = dict(target.get(name) or {}) if isinstance(target.get(name), dict) else {}
        for child, child_schema in schema_properties(schema):
            _default_into(nested, child, child_schema)
        if nested:
            target[name] = nested


def read_page(page: ParameterPage, post: QueryDict, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` updated from the fields the page showed; values of fields it no longer shows are dropped."""
    shown = visible_fields(page, values)
    result = dict(values)
    for name, schema in shown.properties.items():
        ui = page.ui_schema.get(name) or {}
        _store(result, name, _read(name, schema, ui, post, values.get(name)))
    now_shown = visible_fields(page, result).properties
    for name in _all_property_names(page):
        if name not in now_shown:
            result.pop(name, None)
    return with_defaults(page, result)


def _all_property_names(page: ParameterPage) -> set[str]:
    names: set[str] = set()

    def collect(schema: Any) -> None:
        if not isinstance(schema, dict):
            return
        names.update(name for name, _ in schema_properties(schema))
        for dependency in (schema.get("dependencies") or {}).values():
            collect(dependency)
        for key in ("oneOf", "anyOf", "allOf"):
            for branch in schema.get(key) or []:
                collect(branch)
        for key in ("then", "else"):
            collect(schema.get(key))

    collect(page.schema)
    return names


_MISSING = object()


def _store(target: dict[str, Any], name: str, value: Any) -> None:
    if value is _MISSING:
        target.pop(name, None)
    else:
        target[name] = value


def _read(name: str, schema: dict[str, Any], ui: dict[str, Any], post: QueryDict, current: Any) -> Any:
    if ui.get("ui:readonly") is True:
        return _MISSING if current is None else current
    widget = widget_of(schema, ui)
    if widget == "fieldset":
        nested = dict(current) if isinstance(current, dict) else {}
        for child, child_schema in schema_properties(schema):
            _store(nested, child, _read(f"{name}.{child}", child_schema, ui.get(child) or {}, post, nested.get(child)))
        return nested
    if widget == "checkbox":
        return name in post
    if widget == "checkboxes":
        options = {option_text(option): option for option in schema["items"]["enum"]}
        chosen = [options.get(text, text) for text in post.getlist(name)]
        return chosen or _MISSING
    if widget == "repo_url":
        return _read_repo_url(name, post)
    if widget == "picker_multi":
        return _read_multi_picker(name, ui, post)
    text = post.get(name, "").replace("\r\n", "\n")
    if text == "":
        return _MISSING
    if widget == "lines":
        return [line.strip() for line in text.split("\n") if line.strip()] or _MISSING
    if widget in ("select", "radio"):
        if schema.get("type") == "boolean" and "enum" not in schema:
            return {"true": True, "false": False}.get(text, text)
        return {option_text(option): option for option in schema.get("enum") or []}.get(text, text)
    if widget == "number":
        return _number(text.strip(), integer=schema.get("type") == "integer")
    if ui.get("ui:field") in pickers.PICKER_FIELDS:
        return pickers.normalise_picker_value(text, ui)
    return text


def _read_multi_picker(name: str, ui: dict[str, Any], post: QueryDict) -> Any:
    """Ticked items, then those typed in the "add" input (separated by commas, spaces or lines), once each."""
    typed = re.split(r"[\s,]+", post.get(f"{name}.add", ""))
    items = [item.strip() for item in [*post.getlist(name), *typed] if item.strip()]
    if ui.get("ui:field") == "MultiEntityPicker":
        items = [pickers.normalise_picker_value(item, ui) for item in items]
    return list(dict.fromkeys(items)) or _MISSING


def _number(text: str, *, integer: bool) -> Any:
    try:
        number = json.loads(text)
    except ValueError:
        return text
    if isinstance(number, bool) or not isinstance(number, int | float):
        return text
    if integer and isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def _read_repo_url(name: str, post: QueryDict) -> Any:
    """The RepoUrlPicker's three inputs as Backstage's ``host?owner=o&repo=r`` string."""
    host, owner, repo = (post.get(f"{name}.{part}", "").strip() for part in ("host", "owner", "repo"))
    if not (owner or repo):
        return _MISSING
    query = urlencode([(key, value) for key, value in (("owner", owner), ("repo", repo)) if value])
    return f"{host}?{query}"


def oversized_fields(values: Any, prefix: str = "") -> list[str]:
    """Dotted names of values longer than ``MAX_VALUE_LENGTH`` characters."""
    names = []
    if isinstance(values, dict):
        for key, value in values.items():
            names.extend(oversized_fields(value, f"{prefix}{key}."))
    elif isinstance(values, list):
        if sum(len(str(item)) for item in values) > MAX_VALUE_LENGTH:
            names.append(prefix.rstrip("."))
    elif isinstance(values, str) and len(values) > MAX_VALUE_LENGTH:
        names.append(prefix.rstrip("."))
    return names
