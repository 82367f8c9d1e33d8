"""The multi-step form's moves: which step comes next, with which values and errors.

The values entered so far travel with each step in a signed hidden field, so back, next and a
reload of any step keep them without server-side storage, and a tampered state is refused. Steps
are numbered from 0; the step after the last page is the review. Every move is a POST naming its
``action``: ``next``, ``back``, ``refresh`` (re-evaluate conditional fields), ``goto`` (from the
review) or ``create``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.http import QueryDict

from . import pickers
from .form_values import MAX_VALUE_LENGTH, oversized_fields, read_page, with_defaults
from .parameter_validation import validate_page
from .parameters import FieldError, ParameterPage, parameter_pages, schema_properties, visible_fields

ACTIONS = ("next", "back", "refresh", "goto", "create", "dry-run")


class BadState(ValueError):
    """The form's hidden state was altered or comes from another template."""


@dataclass
class Step:
    """Where the form is: a page index (``review`` when past the last page), values, errors by field."""

    index: int
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    form_error: str = ""
    ready: bool = False
    # The review's "Dry run" button: run the template without side effects (publish, register skipped).
    dry_run: bool = False


def sign_state(template_ref: str, values: dict[str, Any]) -> str:
    return signing.dumps(values, salt=f"scaffolder.form:{template_ref}", compress=True)


def read_state(template_ref: str, token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        values = signing.loads(token, salt=f"scaffolder.form:{template_ref}")
    except signing.BadSignature as error:
        raise BadState("the form's saved answers were altered; start again") from error
    if not isinstance(values, dict):
        raise BadState("the form's saved answers are not readable; start again")
    return values


def first_step(template_body: dict[str, Any]) -> Step:
    pages = parameter_pages(template_body)
    return Step(index=0, values=with_defaults(pages[0], {}) if pages else {})


def page_errors(page: ParameterPage, values: dict[str, Any], user: Any = None) -> list[FieldError]:
    """Schema and ``ui:field`` errors, then catalog checks of pickers (as ``user`` sees them), then over-long values."""
    errors = validate_page(page, values)
    named = {error.field for error in errors}
    for name, ui in _picker_fields(page, values):
        if name not in named:
            message = pickers.check_picker_value(values.get(name), ui, user)
            if message:
                errors.append(FieldError(name, message))
    properties = set(visible_fields(page, values).properties)
    for name in oversized_fields({key: value for key, value in values.items() if key in properties}):
        if name not in named:
            errors.append(FieldError(name, f"must be at most {MAX_VALUE_LENGTH} characters long"))
    return errors


def _picker_fields(page: ParameterPage, values: dict[str, Any]):
    for name, _schema in visible_fields(page, values).properties.items():
        ui = page.ui_schema.get(name) or {}
        if pickers.is_picker(ui):
            yield name, ui


def move(
    template_body: dict[str, Any], index: int, action: str, post: QueryDict, values: dict[str, Any], user: Any = None
) -> Step:
    """Apply one POST to the form at step ``index`` (sent by ``user``) and say which step to show next."""
    pages = parameter_pages(template_body)
    review = len(pages)
    index = min(max(index, 0), review)
    if index < review:
        values = read_page(pages[index], post, values)
    if action == "back":
        return Step(index=max(index - 1, 0), values=_defaults_for(pages, index - 1, values))
    if action == "goto":
        target = _int(post.get("goto"), default=index)
        target = min(max(target, 0), review)
        return Step(index=target, values=_defaults_for(pages, target, values))
    if action == "next" and index < review:
        errors = page_errors(pages[index], values, user)
        if errors:
            return Step(index=index, values=values, errors=_by_field(errors))
        return Step(index=index + 1, values=_defaults_for(pages, index + 1, values))
    if action in ("create", "dry-run"):
        for page in pages:
            errors = page_errors(page, values, user)
            if errors:
                return Step(index=page.index, values=values, errors=_by_field(errors))
        return Step(index=review, values=values, ready=True, dry_run=action == "dry-run")
    return Step(index=index, values=values)


def _defaults_for(pages: list[ParameterPage], index: int, values: dict[str, Any]) -> dict[str, Any]:
    return with_defaults(pages[index], values) if 0 <= index < len(pages) else values


def _by_field(errors: list[FieldError]) -> dict[str, str]:
    result: dict[str, str] = {}
    for error in errors:
        result.setdefault(error.field, error.for_form)
    return result


def _int(text: Any, default: int) -> int:
    try:
        return int(str(text))
    except ValueError:
        return default


@dataclass(frozen=True)
class ReviewRow:
    label: str
    value: str
    depth: int = 0


MASK = "••••••••"


def review_rows(page: ParameterPage, values: dict[str, Any], secrets: set[str]) -> list[ReviewRow]:
    """The page's answers as label/value rows; secrets masked, ``ui:backstage.review.show: false`` left out.

    An entity picker's answer shows the entity's title with its ref (``Fleet (group:default/fleet)``),
    the titles read in one query for the page.
    """
    fields = visible_fields(page, values).properties
    picked = [
        str(values[name]).lower()
        for name in fields
        if (page.ui_schema.get(name) or {}).get("ui:field") in pickers.PICKER_FIELDS and values.get(name)
    ]
    titles = pickers.entity_titles(picked) if picked else {}
    rows: list[ReviewRow] = []
    for name, schema in fields.items():
        _rows(rows, name, schema, page.ui_schema.get(name) or {}, values.get(name), secrets, 0, titles)
    return rows


def _rows(
    rows: list, name: str, schema: dict, ui: dict, value: Any, secrets: set[str], depth: int, titles: dict[str, str]
) -> None:
    review = (ui.get("ui:backstage") or {}).get("review") if isinstance(ui.get("ui:backstage"), dict) else None
    review = review if isinstance(review, dict) else {}
    if review.get("show") is False:
        return
    label = str(schema.get("title") or name.rsplit(".", 1)[-1])
    if schema.get("type") == "object" and isinstance(schema.get("properties"), dict):
        rows.append(ReviewRow(label, "", depth))
        nested = value if isinstance(value, dict) else {}
        for child, child_schema in schema_properties(schema):
            child_ui = ui.get(child) or {}
            _rows(rows, f"{name}.{child}", child_schema, child_ui, nested.get(child), secrets, depth + 1, titles)
        return
    if value is None or value == "":
        shown = "—"
    elif name in secrets or review.get("mask"):
        shown = str(review.get("mask") or MASK)
    elif ui.get("ui:field") in pickers.PICKER_FIELDS and str(value).lower() in titles:
        shown = f"{titles[str(value).lower()]} ({value})"
    else:
        shown = _display(schema, ui, value)
    rows.append(ReviewRow(label, shown, depth))


def _display(schema: dict, ui: dict, value: Any) -> str:
    from .form_fields import enum_labels

    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    options = schema.get("enum")
    if isinstance(options, list) and value in options:
        return enum_labels(schema, ui)[options.index(value)]
    return str(value)
