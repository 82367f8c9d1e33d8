"""An OpenAPI document (Swagger 2.0 or OpenAPI 3.x) as an outline: info, servers, operations by tag,
and the named schemas.

Parameters, request bodies and responses may be ``$ref``s into the document's components; those
are followed once (a reference to a reference is followed until it repeats), never outside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .schemas import SchemaBuilder, SchemaNode, resolve_pointer, schema_anchor, text

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_OPERATIONS = 500
MAX_SCHEMAS = 300
UNTAGGED = "Other operations"


@dataclass
class Parameter:
    name: str
    location: str
    required: bool
    type: str
    description: str


@dataclass
class Body:
    """A request or response body: one schema per media type."""

    description: str = ""
    contents: list[tuple[str, SchemaNode]] = field(default_factory=list)


@dataclass
class Response:
    status: str
    body: Body


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    operation_id: str
    deprecated: bool
    parameters: list[Parameter]
    request_body: Body | None
    responses: list[Response]

    @property
    def anchor(self) -> str:
        return schema_anchor(f"op-{self.method}-{self.path}")


@dataclass
class OpenApiOutline:
    version: str
    title: str
    api_version: str
    description: str
    servers: list[tuple[str, str]]
    groups: list[tuple[str, list[Operation]]]
    schemas: list[tuple[str, str, SchemaNode]]
    notes: list[str]

    @property
    def operation_count(self) -> int:
        return sum(len(operations) for _, operations in self.groups)


def is_openapi(data: dict[str, Any]) -> bool:
    return isinstance(data.get("openapi"), str) or str(data.get("swagger", "")).startswith("2")


def _resolved(document: dict[str, Any], value: Any) -> Any:
    """Follow ``$ref`` chains inside the document until a non-reference (or a repeat)."""
    seen: set[str] = set()
    while isinstance(value, dict) and isinstance(value.get("$ref"), str):
        ref = value["$ref"]
        if ref in seen or not ref.startswith("#/"):
            return {}
        seen.add(ref)
        value = resolve_pointer(document, ref)
    return value if isinstance(value, dict) else {}


class OpenApiReader:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.is_swagger = not isinstance(document.get("openapi"), str)
        self.schemas = SchemaBuilder(document)
        self.notes: list[str] = []

    def outline(self) -> OpenApiOutline:
        document = self.document
        info = document.get("info") if isinstance(document.get("info"), dict) else {}
        return OpenApiOutline(
            version=text(document.get("swagger") if self.is_swagger else document.get("openapi"), 20),
            title=text(info.get("title"), 300),
            api_version=text(info.get("version"), 100),
            description=text(info.get("description"), 10_000),
            servers=self._servers(),
            groups=self._groups(),
            schemas=self._schemas(),
            notes=self.notes
            + (["Part of the definition is too large to show in full."] if self.schemas.exhausted else []),
        )

    def _servers(self) -> list[tuple[str, str]]:
        document = self.document
        if self.is_swagger:
            host = text(document.get("host"), 300)
            if not host:
                return []
            base = text(document.get("basePath"), 300)
            schemes = (
                [text(scheme, 10) for scheme in document.get("schemes", [])]
                if isinstance(document.get("schemes"), list)
                else ["https"]
            )
            return [(f"{scheme}://{host}{base}", "") for scheme in schemes[:10]]
        servers = document.get("servers")
        if not isinstance(servers, list):
            return []
        return [
            (text(server.get("url"), 500), text(server.get("description"), 500))
            for server in servers[:20]
            if isinstance(server, dict)
        ]

    def _groups(self) -> list[tuple[str, list[Operation]]]:
        paths = self.document.get("paths")
        if not isinstance(paths, dict):
            return []
        groups: dict[str, list[Operation]] = {}
        declared = (
            [text(tag.get("name"), 200) for tag in self.document.get("tags", []) if isinstance(tag, dict)]
            if isinstance(self.document.get("tags"), list)
            else []
        )
        for name in declared:
            groups.setdefault(name, [])
        count = 0
        for path, item in paths.items():
            item = _resolved(self.document, item)
            shared = item.get("parameters") if isinstance(item.get("parameters"), list) else []
            for method in HTTP_METHODS:
                raw = item.get(method)
                if not isinstance(raw, dict):
                    continue
                if count >= MAX_OPERATIONS:
                    self.notes.append(f"Only the first {MAX_OPERATIONS} operations are shown.")
                    return [(tag, ops) for tag, ops in groups.items() if ops]
                count += 1
                operation = self._operation(str(path), method, raw, shared)
                tags = (
                    [text(tag, 200) for tag in raw.get("tags", []) if text(tag)]
                    if isinstance(raw.get("tags"), list)
                    else []
                )
                for tag in tags[:1] or [UNTAGGED]:
                    groups.setdefault(tag, []).append(operation)
        return [(tag, ops) for tag, ops in groups.items() if ops]

    def _operation(self, path: str, method: str, raw: dict[str, Any], shared: list[Any]) -> Operation:
        parameters: dict[tuple[str, str], Parameter] = {}
        body = None
        own = raw.get("parameters") if isinstance(raw.get("parameters"), list) else []
        for candidate in [*shared, *own][:100]:
            parameter = _resolved(self.document, candidate)
            location = text(parameter.get("in"), 20)
            if self.is_swagger and location == "body":
                body = Body(
                    text(parameter.get("description"), 2000),
                    [(self._media_type(raw, "consumes"), self.schemas.build(parameter.get("schema")))],
                )
                continue
            if self.is_swagger and location == "formData":
                location = "form"
            name = text(parameter.get("name"), 200)
            parameters[(name, location)] = Parameter(
                name=name,
                location=location,
                required=parameter.get("required") is True,
                type=self._parameter_type(parameter),
                description=text(parameter.get("description"), 1000),
            )
        if not self.is_swagger and "requestBody" in raw:
            body = self._body(raw["requestBody"])
        return Operation(
            method=method.upper(),
            path=path,
            summary=text(raw.get("summary"), 300),
            description=text(raw.get("description"), 5000),
            operation_id=text(raw.get("operationId"), 200),
            deprecated=raw.get("deprecated") is True,
            parameters=list(parameters.values()),
            request_body=body,
            responses=self._responses(raw.get("responses"), raw),
        )

    def _parameter_type(self, parameter: dict[str, Any]) -> str:
        schema = parameter.get("schema") if not self.is_swagger else parameter
        node = self.schemas.build(schema, depth=self.schemas.max_depth)
        if node.ref:
            return node.ref
        if node.type == "array" and isinstance(schema, dict):
            items = _resolved(self.document, schema.get("items"))
            item_type = text(items.get("type"), 40)
            return f"array of {item_type}" if item_type else "array"
        return node.type + (f" ({node.format})" if node.format else "")

    def _media_type(self, raw: dict[str, Any], field: str) -> str:
        """Swagger 2's ``consumes``/``produces``: the operation's, else the document's, else JSON."""
        for source in (raw, self.document):
            kinds = source.get(field)
            if isinstance(kinds, list) and kinds:
                return text(kinds[0], 100)
        return "application/json"

    def _body(self, value: Any) -> Body:
        body = _resolved(self.document, value)
        content = body.get("content") if isinstance(body.get("content"), dict) else {}
        return Body(
            text(body.get("description"), 2000),
            [
                (str(media_type)[:100], self.schemas.build(_resolved_media(media).get("schema")))
                for media_type, media in list(content.items())[:10]
            ],
        )

    def _responses(self, value: Any, raw: dict[str, Any]) -> list[Response]:
        if not isinstance(value, dict):
            return []
        responses = []
        for status, response in list(value.items())[:50]:
            if self.is_swagger:
                resolved = _resolved(self.document, response)
                contents = []
                if "schema" in resolved:
                    contents.append((self._media_type(raw, "produces"), self.schemas.build(resolved["schema"])))
                body = Body(text(resolved.get("description"), 2000), contents)
            else:
                body = self._body(response)
            responses.append(Response(str(status), body))
        return responses

    def _schemas(self) -> list[tuple[str, str, SchemaNode]]:
        if self.is_swagger:
            named = self.document.get("definitions")
        else:
            components = self.document.get("components")
            named = components.get("schemas") if isinstance(components, dict) else None
        if not isinstance(named, dict):
            return []
        if len(named) > MAX_SCHEMAS:
            self.notes.append(f"Only the first {MAX_SCHEMAS} of {len(named)} schemas are shown.")
        # Each named schema is shown one level deep; its references link to their own entries.
        shallow = SchemaBuilder(self.document, max_depth=2)
        shown = [
            (str(name), schema_anchor(str(name)), shallow.build(schema))
            for name, schema in list(named.items())[:MAX_SCHEMAS]
        ]
        self.schemas.exhausted |= shallow.exhausted
        return shown


def _resolved_media(media: Any) -> dict[str, Any]:
    return media if isinstance(media, dict) else {}


def read_openapi(document: dict[str, Any]) -> OpenApiOutline:
    """The outline of an OpenAPI document already known to be one (see ``is_openapi``)."""
    return OpenApiReader(document).outline()
