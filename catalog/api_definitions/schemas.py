"""JSON Schema fragments of a definition turned into small trees a template can show.

Only local references (``#/components/schemas/Pet``, ``#/definitions/Pet``) are followed, and only
so deep: a reference already being expanded on the current path is shown as a cycle, anything past
``max_depth`` or past the document's node budget is shown by name only. Remote references are
named, never fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_SCHEMA_DEPTH = 6
# Nodes built for one document in all: fan-out (a schema used by hundreds of properties) stops here.
NODE_BUDGET = 4000
MAX_PROPERTIES = 200
MAX_ENUM_VALUES = 30


def resolve_pointer(document: Any, ref: str) -> Any:
    """The value a local ``#/a/b`` reference points at, or None when it points nowhere."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    value = document
    for part in ref[1:].split("/")[1:] if ref.startswith("#/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value if ref.startswith("#/") else None


def ref_name(ref: str) -> str:
    """The last segment of a reference: ``#/components/schemas/Pet`` is ``Pet``."""
    return ref.rstrip("/").rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~") or ref


def text(value: Any, limit: int = 2000) -> str:
    """A string field, or nothing when the document put something else there."""
    if isinstance(value, str):
        return value if len(value) <= limit else value[: limit - 1] + "…"
    if isinstance(value, bool | int | float):
        return str(value)
    return ""


@dataclass
class SchemaProperty:
    name: str
    required: bool
    schema: SchemaNode


@dataclass
class SchemaNode:
    """One schema as shown: its type line, notes, and children (properties, items, alternatives)."""

    type: str = ""
    ref: str = ""
    anchor: str = ""
    description: str = ""
    format: str = ""
    enum: list[str] = field(default_factory=list)
    properties: list[SchemaProperty] = field(default_factory=list)
    items: SchemaNode | None = None
    additional: SchemaNode | None = None
    alternatives: list[tuple[str, list[SchemaNode]]] = field(default_factory=list)
    note: str = ""

    @property
    def has_children(self) -> bool:
        return bool(self.properties or self.items or self.additional or self.alternatives)


def schema_anchor(name: str) -> str:
    """The HTML id of a named schema in the schemas section."""
    return "schema-" + "".join(char if char.isalnum() or char in "-_" else "-" for char in name)


class SchemaBuilder:
    """Builds ``SchemaNode`` trees for one document, sharing one node budget."""

    def __init__(self, document: dict[str, Any], *, max_depth: int = MAX_SCHEMA_DEPTH, budget: int = NODE_BUDGET):
        self.document = document
        self.max_depth = max_depth
        self.budget = budget
        self.exhausted = False

    def build(self, schema: Any, depth: int = 0, path: tuple[str, ...] = ()) -> SchemaNode:
        if self.budget <= 0:
            self.exhausted = True
            return SchemaNode(note="not shown: the definition is too large to show in full")
        self.budget -= 1
        if not isinstance(schema, dict):
            return SchemaNode(type="any" if schema is True or schema is None else "")
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._reference(ref, depth, path)
        node = SchemaNode(
            type=self._type_of(schema),
            description=text(schema.get("description"), 500),
            format=text(schema.get("format"), 100),
            enum=[text(value, 100) or repr(value) for value in schema.get("enum", [])[:MAX_ENUM_VALUES]]
            if isinstance(schema.get("enum"), list)
            else [],
        )
        if depth >= self.max_depth:
            if self._has_children(schema):
                node.note = "nested deeper than shown here"
            return node
        properties = schema.get("properties")
        if isinstance(properties, dict):
            required = schema.get("required") if isinstance(schema.get("required"), list) else []
            for name, child in list(properties.items())[:MAX_PROPERTIES]:
                node.properties.append(SchemaProperty(str(name), name in required, self.build(child, depth + 1, path)))
            if len(properties) > MAX_PROPERTIES:
                node.note = f"{len(properties) - MAX_PROPERTIES} more properties not shown"
        if "items" in schema and isinstance(schema["items"], dict):
            node.items = self.build(schema["items"], depth + 1, path)
        if isinstance(schema.get("additionalProperties"), dict):
            node.additional = self.build(schema["additionalProperties"], depth + 1, path)
        for keyword in ("allOf", "oneOf", "anyOf"):
            options = schema.get(keyword)
            if isinstance(options, list) and options:
                node.alternatives.append(
                    (keyword, [self.build(option, depth + 1, path) for option in options[:MAX_PROPERTIES]])
                )
        return node

    def _reference(self, ref: str, depth: int, path: tuple[str, ...]) -> SchemaNode:
        name = ref_name(ref)
        if not ref.startswith("#/"):
            return SchemaNode(ref=ref, note="external reference, not fetched")
        anchor = schema_anchor(name) if ref.startswith(("#/components/schemas/", "#/definitions/")) else ""
        if ref in path:
            return SchemaNode(ref=name, anchor=anchor, note="refers back to itself (cycle)")
        target = resolve_pointer(self.document, ref)
        if target is None:
            return SchemaNode(ref=name, note="reference points at nothing in this document")
        if depth >= self.max_depth:
            return SchemaNode(ref=name, anchor=anchor, note="nested deeper than shown here")
        node = self.build(target, depth, (*path, ref))
        node.ref, node.anchor = name, anchor
        return node

    @staticmethod
    def _type_of(schema: dict[str, Any]) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            return " | ".join(text(item, 40) for item in kind[:8])
        if isinstance(kind, str):
            return kind[:40]
        if "properties" in schema:
            return "object"
        if "items" in schema:
            return "array"
        return ""

    @staticmethod
    def _has_children(schema: dict[str, Any]) -> bool:
        return any(key in schema for key in ("properties", "items", "additionalProperties", "allOf", "oneOf", "anyOf"))
