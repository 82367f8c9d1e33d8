"""Per-kind `spec` rules, written as JSON Schema and checked with `jsonschema`.

The schemas describe only `spec`; the envelope and metadata are checked before.
They restate the rules of Backstage's kind schemas (built-in kinds, the
scaffolder's Template, and the alpha model layer's `mcp-server` API and
`AiResource`), so an entity is accepted here exactly when Backstage accepts it.
As there, extra spec keys are allowed.

A schema may carry an `x-message` used instead of the generic wording when a
combined rule (`oneOf`) fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from jsonschema import Draft7Validator, ValidationError

from .errors import FieldError
from .fastschema import Check, compile_schema
from .types import json_type

_CLASSIC_VERSIONS = ("backstage.io/v1alpha1", "backstage.io/v1beta1")

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}
_TEXTS: dict[str, Any] = {"type": "array", "items": _TEXT}
_STRING: dict[str, Any] = {"type": "string"}
_PROFILE: dict[str, Any] = {
    "type": "object",
    "properties": {"displayName": _TEXT, "email": _TEXT, "picture": _TEXT},
}


def _spec(required: Sequence[str], **properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": properties}


_COMPONENT = _spec(
    ("type", "lifecycle", "owner"),
    type=_TEXT,
    lifecycle=_TEXT,
    owner=_TEXT,
    system=_TEXT,
    subcomponentOf=_TEXT,
    providesApis=_TEXTS,
    consumesApis=_TEXTS,
    dependsOn=_TEXTS,
)
_API = _spec(
    ("type", "lifecycle", "owner", "definition"),
    type=_TEXT,
    lifecycle=_TEXT,
    owner=_TEXT,
    definition=_TEXT,
    system=_TEXT,
)
_MCP_SERVER_API = _spec(
    ("type", "lifecycle", "owner", "remotes"),
    type={"const": "mcp-server"},
    lifecycle=_TEXT,
    owner=_TEXT,
    system=_TEXT,
    remotes={
        "type": "array",
        "minItems": 1,
        "items": {"type": "object", "required": ["type", "url"], "properties": {"type": _TEXT, "url": _TEXT}},
    },
)
_RESOURCE = _spec(("type", "owner"), type=_TEXT, owner=_TEXT, system=_TEXT, dependsOn=_TEXTS)
_SYSTEM = _spec(("owner",), owner=_TEXT, domain=_TEXT, type=_TEXT)
_DOMAIN = _spec(("owner",), owner=_TEXT, subdomainOf=_TEXT, type=_TEXT)
_GROUP = _spec(("type", "children"), type=_TEXT, profile=_PROFILE, parent=_TEXT, children=_TEXTS, members=_TEXTS)
_USER = _spec(("memberOf",), profile=_PROFILE, memberOf=_TEXTS)
_LOCATION = _spec(
    (),
    type=_TEXT,
    target=_TEXT,
    targets=_TEXTS,
    presence={"type": "string", "enum": ["required", "optional"]},
)

_AI_BASE: dict[str, dict[str, Any]] = {"lifecycle": _TEXT, "owner": _TEXT, "system": _TEXT}
_AI_RESOURCE = _spec(("type", "lifecycle", "owner"), type=_TEXT, **_AI_BASE)
_ACTIVATION_MESSAGE = (
    "must be an activation for harness 'claude' (paths, description), 'cursor' "
    "(alwaysApply, globs, description) or 'codex', with no other fields"
)
_AI_RESOURCE_TYPES: dict[str, dict[str, Any]] = {
    "skill": _spec(
        ("type", "lifecycle", "owner"),
        type={"const": "skill"},
        **_AI_BASE,
        disciplines=_TEXTS,
        categories=_TEXTS,
        agents=_TEXTS,
        dependsOn=_TEXTS,
        # One string of space-separated tool names, as in an agent skill's front matter.
        allowedTools={**_TEXT, "x-message": "must be a non-empty string of space-separated tool names"},
        license=_TEXT,
        compatibility={"type": "string", "minLength": 1, "maxLength": 500},
    ),
    "rule": _spec(
        ("type", "lifecycle", "owner", "category", "rationale"),
        type={"const": "rule"},
        **_AI_BASE,
        disciplines=_TEXTS,
        category=_TEXT,
        rationale=_TEXT,
        activation={
            "type": "array",
            "minItems": 1,
            "items": {
                "x-message": _ACTIVATION_MESSAGE,
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["harness"],
                        "additionalProperties": False,
                        "properties": {"harness": {"const": "claude"}, "paths": _TEXTS, "description": _TEXT},
                    },
                    {
                        "type": "object",
                        "required": ["harness"],
                        "additionalProperties": False,
                        "properties": {
                            "harness": {"const": "cursor"},
                            "alwaysApply": {"type": "boolean"},
                            "globs": _TEXTS,
                            "description": _TEXT,
                        },
                    },
                    {
                        "type": "object",
                        "required": ["harness"],
                        "additionalProperties": False,
                        "properties": {"harness": {"const": "codex"}},
                    },
                ],
            },
        },
    ),
    "plugin": _spec(
        ("type", "lifecycle", "owner", "skills"),
        type={"const": "plugin"},
        **_AI_BASE,
        skills=_TEXTS,
        version=_TEXT,
    ),
    "marketplace": _spec(
        ("type", "lifecycle", "owner", "plugins"),
        type={"const": "marketplace"},
        **_AI_BASE,
        plugins=_TEXTS,
        version=_TEXT,
    ),
}

_PERMISSION_TAGS: dict[str, Any] = {
    "type": "object",
    "properties": {"tags": {"type": "array", "items": _STRING}},
}
_PARAMETER_PAGE: dict[str, Any] = {
    "type": "object",
    "properties": {"backstage:permissions": _PERMISSION_TAGS},
}
_CONDITION: dict[str, Any] = {"type": ["string", "boolean"]}
_TEMPLATE = _spec(
    ("type", "steps"),
    type=_TEXT,
    owner=_TEXT,
    lifecycle=_TEXT,
    parameters={
        "x-message": "must be an object or an array of objects",
        "oneOf": [_PARAMETER_PAGE, {"type": "array", "items": _PARAMETER_PAGE}],
    },
    secrets={"type": "object", "properties": {"schema": {"type": "object"}}},
    presentation={
        "type": "object",
        "properties": {
            "buttonLabels": {
                "type": "object",
                "properties": {
                    "backButtonText": _STRING,
                    "createButtonText": _STRING,
                    "reviewButtonText": _STRING,
                },
            }
        },
    },
    EXPERIMENTAL_recovery={"type": "object", "properties": {"EXPERIMENTAL_strategy": _STRING}},
    EXPERIMENTAL_formDecorators={
        "type": "array",
        "items": {"type": "object", "properties": {"id": _STRING, "input": {"type": "object"}}},
    },
    steps={
        "type": "array",
        "items": {
            "type": "object",
            "required": ["action"],
            "properties": {
                "id": _STRING,
                "name": _STRING,
                "action": _STRING,
                "input": {"type": "object"},
                "if": _CONDITION,
                "backstage:permissions": _PERMISSION_TAGS,
            },
        },
    },
    output={
        "type": "object",
        "properties": {
            "links": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "if": _CONDITION,
                        "url": _TEXT,
                        "entityRef": _TEXT,
                        "title": _TEXT,
                        "icon": _TEXT,
                    },
                },
            },
            "text": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"if": _CONDITION, "title": _TEXT, "icon": _TEXT, "content": _STRING},
                },
            },
        },
        "additionalProperties": _STRING,
    },
)

# kind -> (accepted apiVersions, default spec schema, spec schemas chosen by spec.type)
_KINDS: dict[str, tuple[tuple[str, ...], dict[str, Any], dict[str, dict[str, Any]]]] = {
    "Component": (_CLASSIC_VERSIONS, _COMPONENT, {}),
    "API": (_CLASSIC_VERSIONS, _API, {"mcp-server": _MCP_SERVER_API}),
    "Resource": (_CLASSIC_VERSIONS, _RESOURCE, {}),
    "System": (_CLASSIC_VERSIONS, _SYSTEM, {}),
    "Domain": (_CLASSIC_VERSIONS, _DOMAIN, {}),
    "Group": (_CLASSIC_VERSIONS, _GROUP, {}),
    "User": (_CLASSIC_VERSIONS, _USER, {}),
    "Location": (_CLASSIC_VERSIONS, _LOCATION, {}),
    "Template": (("scaffolder.backstage.io/v1beta3",), _TEMPLATE, {}),
    "AiResource": (("backstage.io/v1alpha1",), _AI_RESOURCE, _AI_RESOURCE_TYPES),
}

KNOWN_KINDS: tuple[str, ...] = tuple(_KINDS)


def is_known(kind: str, api_version: str) -> bool:
    """Whether some kind validator claims this kind and apiVersion (names are case-sensitive)."""
    entry = _KINDS.get(kind)
    return entry is not None and api_version in entry[0]


def _variant(kind: str, spec: dict[str, Any]) -> str | None:
    """The `spec.type` that selects a dedicated schema for this kind, or None for the kind's default."""
    spec_type = spec.get("type")
    return spec_type if isinstance(spec_type, str) and spec_type in _KINDS[kind][2] else None


def spec_schema(kind: str, variant: str | None = None) -> dict[str, Any]:
    """The JSON Schema for the spec of a known kind, or of one of its `spec.type` variants."""
    _, default, variants = _KINDS[kind]
    return default if variant is None else variants[variant]


@cache
def _validators(kind: str, variant: str | None) -> tuple[Check, Draft7Validator]:
    schema = spec_schema(kind, variant)
    Draft7Validator.check_schema(schema)
    return compile_schema(schema), Draft7Validator(schema)


def _field(path: Iterable[str | int]) -> str:
    field = "spec"
    for part in path:
        field += f"[{part}]" if isinstance(part, int) else f".{part}"
    return field


def _describe(schema: dict[str, Any]) -> str:
    if "x-message" in schema:
        return schema["x-message"]
    if "const" in schema:
        return f"must be {schema['const']!r}"
    if "enum" in schema:
        return "must be one of " + ", ".join(repr(option) for option in schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        if schema.get("minLength") == 1:
            if "maxLength" in schema:
                return f"must be a non-empty string of at most {schema['maxLength']} characters"
            return "must be a non-empty string"
        return "must be a string"
    if kind == "array":
        return "must be a non-empty array" if schema.get("minItems") == 1 else "must be an array"
    if kind == "object":
        return "must be an object"
    if kind == "boolean":
        return "must be a boolean"
    if isinstance(kind, list):
        return "must be a " + " or a ".join(kind)
    return "is not valid"


def _translate(error: ValidationError, seen: set[str]) -> Iterable[FieldError]:
    if error.validator == "required":
        parent = _field(error.absolute_path)
        container = error.instance if isinstance(error.instance, dict) else {}
        for name in error.validator_value:
            field = f"{parent}.{name}"
            if name not in container and field not in seen:
                seen.add(field)
                yield FieldError(field, f"{field} is required")
        return
    if error.validator == "additionalProperties" and error.validator_value is not False:
        path = list(error.absolute_path)
        known = error.schema.get("properties", {})
        container = error.instance if isinstance(error.instance, dict) else {}
        for name, value in container.items():
            if name not in known and not isinstance(value, str):
                yield FieldError(_field([*path, name]), f"{_field([*path, name])} must be a string")
        return
    field = _field(error.absolute_path)
    if field in seen:
        return
    seen.add(field)
    message = f"{field} {_describe(error.schema)}"
    if error.validator == "type":
        message += f", got {json_type(error.instance)}"
    yield FieldError(field, message)


def check_spec(kind: str, spec: dict[str, Any]) -> list[FieldError]:
    """Check `spec` against the schema of a known kind (and of its `spec.type`, where one applies)."""
    is_valid, validator = _validators(kind, _variant(kind, spec))
    if is_valid(spec):
        return []
    seen: set[str] = set()
    errors: list[FieldError] = []
    for error in sorted(validator.iter_errors(spec), key=lambda error: list(map(str, error.absolute_path))):
        errors.extend(_translate(error, seen))
    return errors
