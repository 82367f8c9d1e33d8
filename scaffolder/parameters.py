"""A Template's ``spec.parameters`` read as form pages, and the values a form collects checked against them.

Backstage writes the form's JSON Schema and react-jsonschema-form's uiSchema in one tree: ``ui:*``
keys sit beside the schema keywords of each property. Here they are taken apart again (``schema``
for validation, ``ui_schema`` for rendering), pages are numbered, and conditional fields
(``dependencies``/``oneOf``, ``if``/``then``/``else``) are resolved against the values entered so far,
so the server decides what each step shows. Validation uses JSON Schema draft 7, as Backstage does
(``scaffolder.parameter_validation``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from jsonschema.exceptions import SchemaError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable

from .field_rules import KNOWN_UI_FIELDS, KNOWN_UI_WIDGETS
from .schema_patterns import ParameterValidator

DEFAULT_PAGE_TITLE = "Please enter the following information"
_BRANCH_KEYS = ("oneOf", "anyOf", "allOf")
_CONDITION_KEYS = ("if", "then", "else")
# Values quoted in messages are cut to this many characters (whole messages to twice as many).
MAX_MESSAGE_VALUE = 80


def _refuse_retrieval(uri: str) -> Resource:
    # Without a registry jsonschema fetches any $ref URI it meets with urllib (http, file, ...):
    # a template's form would make the portal read its own disk or call internal addresses.
    raise NoSuchResource(ref=uri)


# Only references inside the template's own schema (``#/definitions/...``) resolve.
LOCAL_REFS_ONLY: Registry = Registry(retrieve=_refuse_retrieval)


def schema_validator(schema: Any, **kwargs: Any) -> Any:
    return ParameterValidator(schema, registry=LOCAL_REFS_ONLY, **kwargs)


@dataclass(frozen=True)
class FieldError:
    """A refusal of one field's value; ``field`` is the dotted path (``""`` for the form as a whole).

    ``message`` is exact, for the API and its callers (a pattern is quoted as written);
    ``form_message``, when set, says the same to a person filling in the form.
    """

    field: str
    message: str
    form_message: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    @property
    def for_form(self) -> str:
        """The message the Create form shows beside the field."""
        return self.form_message or self.message


@dataclass(frozen=True)
class ParameterPage:
    """One step of a template's form: its schema without ``ui:*`` keys, and those keys by property."""

    index: int
    title: str
    description: str
    schema: dict[str, Any]
    ui_schema: dict[str, Any]
    raw: dict[str, Any]

    @property
    def required(self) -> list[str]:
        return [str(name) for name in self.schema.get("required") or []]

    @property
    def dependencies(self) -> dict[str, Any]:
        dependencies = self.schema.get("dependencies")
        return dependencies if isinstance(dependencies, dict) else {}


@dataclass
class VisibleFields:
    """The properties a page shows for the current values (conditional ones included) and which are required."""

    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    # Properties that control a conditional part of the page: changing one re-renders the step.
    controlling: set[str] = field(default_factory=set)


def template_body_of(template: Any) -> dict[str, Any]:
    """The entity body of a catalog ``Entity`` or of a body given as a dict."""
    body = getattr(template, "body", template)
    return body if isinstance(body, dict) else {}


def raw_pages(template_body: dict[str, Any]) -> list[dict[str, Any]]:
    """``spec.parameters`` as a list of page objects: one object is one page; anything else is no page."""
    spec = template_body.get("spec") if isinstance(template_body.get("spec"), dict) else {}
    parameters = spec.get("parameters")
    if isinstance(parameters, dict):
        return [parameters]
    if isinstance(parameters, list):
        return [page for page in parameters if isinstance(page, dict)]
    return []


def parameter_pages(template_body: dict[str, Any]) -> list[ParameterPage]:
    """The form's pages, in order."""
    pages = []
    for index, raw in enumerate(raw_pages(template_body)):
        schema, ui_schema = split_ui(raw)
        pages.append(
            ParameterPage(
                index=index,
                title=str(raw.get("title") or DEFAULT_PAGE_TITLE),
                description=str(raw.get("description") or ""),
                schema=schema,
                ui_schema=ui_schema,
                raw=raw,
            )
        )
    return pages


def split_ui(schema: Any) -> tuple[Any, dict[str, Any]]:
    """Separate ``ui:*`` keys from a schema: ``(schema without them, uiSchema keyed by property name)``.

    As in react-jsonschema-form, the uiSchema of properties added by a ``dependencies``/``oneOf``
    branch or an ``if``/``then`` is merged under the property's name at the page's level.
    """
    if not isinstance(schema, dict):
        return schema, {}
    clean: dict[str, Any] = {}
    ui: dict[str, Any] = {}
    for key, value in schema.items():
        if isinstance(key, str) and key.startswith("ui:"):
            ui[key] = value
        elif key == "properties" and isinstance(value, dict):
            clean[key] = {}
            for name, sub_schema in value.items():
                clean[key][name], sub_ui = split_ui(sub_schema)
                if sub_ui:
                    ui.setdefault(name, {}).update(sub_ui)
        elif key == "items" and isinstance(value, dict):
            clean[key], sub_ui = split_ui(value)
            if sub_ui:
                ui["items"] = sub_ui
        elif key == "dependencies" and isinstance(value, dict):
            clean[key] = {}
            for name, dependency in value.items():
                clean[key][name], sub_ui = split_ui(dependency)
                _merge_ui(ui, sub_ui)
        elif key in _BRANCH_KEYS and isinstance(value, list):
            clean[key] = []
            for branch in value:
                clean_branch, sub_ui = split_ui(branch)
                clean[key].append(clean_branch)
                _merge_ui(ui, sub_ui)
        elif key in _CONDITION_KEYS and isinstance(value, dict):
            clean[key], sub_ui = split_ui(value)
            _merge_ui(ui, sub_ui)
        else:
            clean[key] = value
    return clean, ui


def _merge_ui(target: dict[str, Any], source: dict[str, Any]) -> None:
    for name, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(name), dict):
            target[name] = {**value, **target[name]}
        else:
            target.setdefault(name, value)


def show_value(value: Any) -> str:
    """A value as a message quotes it: JSON unless a string, cut to ``MAX_MESSAGE_VALUE`` characters."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= MAX_MESSAGE_VALUE else text[:MAX_MESSAGE_VALUE] + "…"


def has_value(value: Any) -> bool:
    return value not in (None, "", [], {})


def visible_fields(page: ParameterPage, values: dict[str, Any]) -> VisibleFields:
    """The page's properties shown for ``values``, in display order, conditional ones resolved.

    A schema dependency applies once its key has a value: its ``properties`` are added, or those of
    the first ``oneOf`` branch whose own schema for the key accepts the value. ``if``/``then``/``else``
    (at the page's level or inside ``allOf``) adds the branch the values select. Added properties
    follow the field that controls them.
    """
    schema = page.schema
    visible = VisibleFields(
        properties=dict(schema_properties(schema)),
        required={str(name) for name in schema.get("required") or []},
    )
    for _round in range(len(page.dependencies) + 1):
        added = False
        for key, dependency in page.dependencies.items():
            if not isinstance(dependency, dict):
                if key in visible.properties and has_value(values.get(key)):
                    visible.required.update(str(name) for name in dependency if isinstance(name, str))
                continue
            visible.controlling.add(key)
            if key not in visible.properties or not has_value(values.get(key)):
                continue
            branch = _chosen_branch(dependency, key, values)
            added |= _add_branch(visible, branch, after=key, skip=key)
        if not added:
            break
    for condition in [schema, *[item for item in schema.get("allOf") or [] if isinstance(item, dict)]]:
        if "if" not in condition:
            continue
        visible.controlling.update(name for name, _ in schema_properties(condition["if"]))
        branch = condition.get("then") if is_valid_for(condition["if"], values) else condition.get("else")
        _add_branch(visible, branch, after=None, skip=None)
    return _ordered(visible, page.ui_schema.get("ui:order"))


def schema_properties(schema: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if isinstance(properties, dict):
        for name, sub_schema in properties.items():
            yield str(name), sub_schema if isinstance(sub_schema, dict) else {}


def _chosen_branch(dependency: dict[str, Any], key: str, values: dict[str, Any]) -> dict[str, Any] | None:
    branches = dependency.get("oneOf")
    if not isinstance(branches, list):
        return dependency
    for branch in branches:
        selector = dict(schema_properties(branch)).get(key)
        if isinstance(branch, dict) and (selector is None or is_valid_for(selector, values.get(key))):
            return branch
    return None


def _add_branch(visible: VisibleFields, branch: Any, after: str | None, skip: str | None) -> bool:
    if not isinstance(branch, dict):
        return False
    added = False
    new = [
        (name, schema) for name, schema in schema_properties(branch) if name != skip and name not in visible.properties
    ]
    if new:
        names = list(visible.properties)
        position = names.index(after) + 1 if after in names else len(names)
        items = list(visible.properties.items())
        visible.properties = dict(items[:position] + new + items[position:])
        added = True
    before = len(visible.required)
    visible.required.update(str(name) for name in branch.get("required") or [])
    return added or len(visible.required) != before


def _ordered(visible: VisibleFields, order: Any) -> VisibleFields:
    """Apply rjsf's ``ui:order`` (names, with ``*`` standing for every field not named)."""
    if not isinstance(order, list) or not order:
        return visible
    names = [name for name in order if name in visible.properties]
    rest = [name for name in visible.properties if name not in names]
    ordered: list[str] = []
    for name in order:
        if name == "*":
            ordered.extend(rest)
        elif name in visible.properties:
            ordered.append(name)
    if "*" not in order:
        ordered.extend(rest)
    visible.properties = {name: visible.properties[name] for name in dict.fromkeys(ordered)}
    return visible


def is_valid_for(schema: Any, instance: Any) -> bool:
    try:
        return schema_validator(schema).is_valid(instance)
    except (SchemaError, TypeError, Unresolvable):
        return False


def secret_fields(template_body: dict[str, Any]) -> set[str]:
    """Dotted names of fields whose values are secret: ``ui:field: Secret`` or ``ui:widget: password``."""
    secrets: set[str] = set()
    for page in parameter_pages(template_body):
        secrets.update(_secret_names(page.ui_schema, ""))
    return secrets


def _secret_names(ui_schema: dict[str, Any], prefix: str) -> Iterator[str]:
    for name, ui in ui_schema.items():
        if not isinstance(ui, dict) or name.startswith("ui:"):
            continue
        if ui.get("ui:field") == "Secret" or ui.get("ui:widget") == "password":
            yield prefix + name
        yield from _secret_names(ui, f"{prefix}{name}.")


def unknown_ui_fields(template_body: dict[str, Any]) -> list[FieldError]:
    """Fields whose ``ui:field`` or ``ui:widget`` this form does not know; they render as plain inputs."""
    problems = []
    for page in parameter_pages(template_body):
        for name, ui in _ui_walk(page.ui_schema, ""):
            ui_field, widget = ui.get("ui:field"), ui.get("ui:widget")
            if ui_field is not None and ui_field not in KNOWN_UI_FIELDS:
                problems.append(
                    FieldError(name, f"uses the field extension {show_value(ui_field)}, shown as a text input")
                )
            if widget is not None and widget not in KNOWN_UI_WIDGETS:
                problems.append(FieldError(name, f"uses the widget {show_value(widget)}, shown as a text input"))
    return problems


def _ui_walk(ui_schema: dict[str, Any], prefix: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, ui in ui_schema.items():
        if isinstance(ui, dict) and not name.startswith("ui:"):
            yield prefix + name, ui
            yield from _ui_walk(ui, f"{prefix}{name}.")


def parameter_schema(template_entity: Any) -> dict[str, Any]:
    """Backstage's ``GET /v2/templates/:namespace/:kind/:name/parameter-schema`` answer for a Template."""
    body = template_body_of(template_entity)
    metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    answer: dict[str, Any] = {
        "title": metadata.get("title") or metadata.get("name"),
        "description": metadata.get("description"),
    }
    if "presentation" in spec:
        answer["presentation"] = spec["presentation"]
    if "ui:options" in metadata:
        answer["ui:options"] = metadata["ui:options"]
    answer["steps"] = [
        {"title": raw.get("title") or DEFAULT_PAGE_TITLE, "description": raw.get("description"), "schema": raw}
        for raw in raw_pages(body)
    ]
    decorators = spec.get("formDecorators") or spec.get("EXPERIMENTAL_formDecorators")
    if decorators:
        answer["formDecorators"] = decorators
    return answer
