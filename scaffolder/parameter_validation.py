"""Checking the values a template's form collects against its pages, as Backstage's task creation does.

``validate_page`` runs one page's JSON Schema (draft 7, local ``$ref`` only) and its ``ui:field``
rules, ``validate_all`` every page; each refusal is one ``FieldError`` per field, with a short
message a person can act on. Values no database column can keep are refused first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from jsonschema.exceptions import ValidationError
from referencing.exceptions import Unresolvable

from .field_rules import check_field
from .parameters import (
    MAX_MESSAGE_VALUE,
    FieldError,
    ParameterPage,
    parameter_pages,
    schema_properties,
    schema_validator,
    show_value,
    visible_fields,
)
from .pattern_messages import pattern_form_message, ui_at
from .schema_patterns import FORMAT_CHECKER, PATTERN_PROBLEM, PatternError, pattern_matches, schema_problems

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_UNSTORABLE_WHAT = "a NUL character or a lone UTF-16 surrogate, which cannot be stored"


def unstorable_fields(values: Any) -> list[FieldError]:
    """Fields holding a string no database column can keep: a NUL character or a lone UTF-16 surrogate.

    PostgreSQL refuses both in ``jsonb``; refused here, with the field named, the run is never
    stored half-way. Walks with its own stack, so deep values cannot exhaust Python's recursion.
    """
    errors: list[FieldError] = []
    stack: list[tuple[Any, list[str]]] = [(values, [])]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str) and _UNSTORABLE.search(item):
            errors.append(FieldError(_path(path), f"holds {_UNSTORABLE_WHAT}"))
        elif isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str) and _UNSTORABLE.search(key):
                    errors.append(FieldError(_path(path), f"has a key that holds {_UNSTORABLE_WHAT}"))
                else:
                    stack.append((child, [*path, str(key)]))
        elif isinstance(item, list):
            stack.extend((child, [*path, str(index)]) for index, child in enumerate(item))
    return _first_per_field(sorted(errors, key=lambda error: error.field))


def validate_page(page: ParameterPage, values: dict[str, Any]) -> list[FieldError]:
    """Every refusal of ``values`` by this page: schema errors, then ``ui:field`` rules, one per field."""
    unstorable = unstorable_fields(values)
    if unstorable:
        return unstorable
    problems = list(schema_problems(page.schema))
    if problems:
        return _schema_errors(page, problems)
    validator = schema_validator(page.schema, format_checker=FORMAT_CHECKER)
    errors: list[FieldError] = []
    try:
        found = sorted(validator.iter_errors(values), key=lambda item: list(map(str, item.absolute_path)))
    except Unresolvable as error:
        reason = f"$ref {error.ref!r} does not resolve" if hasattr(error, "ref") else str(error)
        message = f"the template's form page {page.title!r} cannot be checked: {reason}"
        return [FieldError("", f"{message} (only '#/...' references inside the template are read)")]
    for error in found:
        errors.extend(_field_errors(error, page.ui_schema))
    for name, ui in _ui_fields(page.ui_schema, visible_fields(page, values).properties):
        message = check_field(_lookup(values, name), ui)
        if message:
            errors.append(FieldError(name, message))
    return _first_per_field(errors)


def _schema_errors(page: ParameterPage, problems: list[tuple[str, str]]) -> list[FieldError]:
    """A page whose schema cannot be run: each unusable pattern names its field, else the first problem."""
    patterns = [FieldError(name, message) for name, message in problems if message.startswith(PATTERN_PROBLEM)]
    if patterns:
        return _first_per_field(patterns)
    message = problems[0][1]
    return [FieldError("", f"the template's form page {page.title!r} is not a valid JSON Schema: {message}")]


def validate_all(template_body: dict[str, Any], values: dict[str, Any]) -> list[FieldError]:
    """Check ``values`` against every page, as Backstage's task creation does; empty when all is well."""
    if not isinstance(values, dict):
        return [FieldError("", "the values must be an object")]
    errors: list[FieldError] = unstorable_fields(values)
    if errors:
        return errors
    for page in parameter_pages(template_body):
        errors.extend(validate_page(page, values))
    return _first_per_field(errors)


def _first_per_field(errors: list[FieldError]) -> list[FieldError]:
    seen: dict[str, FieldError] = {}
    for error in errors:
        seen.setdefault(error.field, error)
    return list(seen.values())


def _ui_fields(ui_schema: dict[str, Any], properties: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict]]:
    for name in properties:
        ui = ui_schema.get(name)
        if isinstance(ui, dict):
            yield prefix + name, ui
            nested = dict(schema_properties(properties[name]))
            if nested:
                yield from _ui_fields(ui, nested, prefix=f"{prefix}{name}.")


def _lookup(values: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(values, dict):
            return None
        values = values.get(part)
    return values


def _path(parts: Any) -> str:
    return ".".join(str(part) for part in parts)


def _field_errors(error: ValidationError, ui_schema: dict[str, Any]) -> list[FieldError]:
    """Turn one jsonschema error into field errors with plain messages (never echoing a huge value).

    A refused pattern also gets the form's words for it (``FieldError.form_message``), from the
    field's help and examples in ``ui_schema`` and its schema.
    """
    path = list(error.absolute_path)
    instance = error.instance
    if error.validator == "required":
        missing = [name for name in error.validator_value if isinstance(instance, dict) and name not in instance]
        return [FieldError(_path([*path, name]), "is required") for name in missing]
    if error.validator == "dependencies" and isinstance(instance, dict):
        errors = []
        for key, needed in (error.validator_value or {}).items():
            if key in instance and isinstance(needed, list):
                errors.extend(
                    FieldError(_path([*path, name]), f"is required when {key} is set")
                    for name in needed
                    if name not in instance
                )
        return errors or [FieldError(_path(path), _shorten(error.message))]
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        return [
            FieldError(_path([*path, name]), "is not a field of this form")
            for name in instance
            if not _is_declared(error.schema, name)
        ]
    if error.validator in ("oneOf", "anyOf") and error.context:
        return _branch_errors(error, ui_schema)
    if error.validator == "pattern" and isinstance(error.schema, dict):
        readable = pattern_form_message(error.schema, ui_at(ui_schema, path), str(error.validator_value))
        return [FieldError(_path(path), _message(error), readable)]
    return [FieldError(_path(path), _message(error))]


def _is_declared(schema: dict[str, Any], name: str) -> bool:
    """Whether ``properties`` or ``patternProperties`` of ``schema`` covers the property ``name``."""
    if name in (schema.get("properties") or {}):
        return True
    patterns = schema.get("patternProperties")
    try:
        return isinstance(patterns, dict) and any(pattern_matches(pattern, name) for pattern in patterns)
    except PatternError:
        return False


def _branch_errors(error: ValidationError, ui_schema: dict[str, Any]) -> list[FieldError]:
    """The errors of the branch the values meant to take: the one whose selecting field matched."""
    by_branch: dict[int, list[ValidationError]] = {}
    for sub_error in error.context:
        by_branch.setdefault(int(sub_error.relative_schema_path[0]), []).append(sub_error)
    selected = [items for items in by_branch.values() if not any(item.validator in ("enum", "const") for item in items)]
    if len(selected) == 1:
        return [field_error for item in selected[0] for field_error in _field_errors(item, ui_schema)]
    selectors = [item for items in by_branch.values() for item in items if item.validator in ("enum", "const")]
    where = _path(selectors[0].absolute_path) if selectors else _path(error.absolute_path)
    return [FieldError(where, "does not match any of the allowed options")]


def _shorten(message: str) -> str:
    return message if len(message) <= 2 * MAX_MESSAGE_VALUE else message[: 2 * MAX_MESSAGE_VALUE] + "…"


_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "empty",
}


def _message(error: ValidationError) -> str:
    validator, expected = error.validator, error.validator_value
    simple = {
        "pattern": lambda: f"must match the pattern {show_value(expected)}",
        "const": lambda: f"must be {show_value(expected)}",
        "minLength": lambda: f"must be at least {expected} character{'s' if expected != 1 else ''} long",
        "maxLength": lambda: f"must be at most {expected} character{'s' if expected != 1 else ''} long",
        "minimum": lambda: f"must be at least {expected}",
        "maximum": lambda: f"must be at most {expected}",
        "exclusiveMinimum": lambda: f"must be greater than {expected}",
        "exclusiveMaximum": lambda: f"must be less than {expected}",
        "multipleOf": lambda: f"must be a multiple of {expected}",
        "minItems": lambda: f"must have at least {expected} item{'s' if expected != 1 else ''}",
        "maxItems": lambda: f"must have at most {expected} item{'s' if expected != 1 else ''}",
        "uniqueItems": lambda: "must not list the same item twice",
        "format": lambda: f"must be a valid {show_value(expected)}",
        "patternSupport": lambda: error.message,
    }
    if validator in simple:
        return simple[validator]()
    if validator == "enum":
        return "must be one of: " + ", ".join(show_value(option) for option in expected)
    if validator == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        return "must be " + " or ".join(_TYPE_NAMES.get(kind, str(kind)) for kind in kinds)
    return _shorten(error.message)
