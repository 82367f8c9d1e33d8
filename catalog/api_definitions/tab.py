"""The Definition tab's context: an outline of the definition when it can be read, and its source."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest

from .asyncapi import is_asyncapi, read_asyncapi
from .highlight import highlight_source
from .loading import load_definition
from .openapi import is_openapi, read_openapi

# Outlines are cached per entity version (etag): a large OpenAPI document is read once per change.
CACHE_SECONDS = 3600
KNOWN_TYPES = ("openapi", "asyncapi", "graphql", "grpc")


def is_api(entity: Any) -> bool:
    """The Definition tab applies to API entities."""
    return getattr(entity, "kind", "") == "API"


def definition_context(request: HttpRequest | None, entity: Any) -> dict[str, Any]:
    """What ``catalog/tabs/api_definition.html`` shows for ``entity`` (cached per etag)."""
    key = f"catalog:api-definition:{entity.pk}:{entity.etag}"
    data = cache.get(key)
    if data is None:
        spec = entity.body.get("spec") if isinstance(entity.body.get("spec"), dict) else {}
        data = build_definition(spec.get("definition"), str(spec.get("type") or "").lower())
        cache.set(key, data, CACHE_SECONDS)
    return data


def build_definition(definition: Any, spec_type: str) -> dict[str, Any]:
    """The tab's data for a definition string of the given ``spec.type``."""
    data: dict[str, Any] = {"spec_type": spec_type, "openapi": None, "asyncapi": None, "problem": None}
    if not isinstance(definition, str) or not definition.strip():
        data["problem"] = "This API has no definition (spec.definition is empty or not text)."
        data["source"] = None
        return data
    data["size"] = len(definition)
    data["source"] = highlight_source(definition, spec_type)
    if spec_type in ("graphql", "grpc"):
        return data
    loaded = load_definition(definition)
    if loaded.data is None:
        if spec_type in ("openapi", "asyncapi"):
            data["problem"] = (
                f"The {spec_type} definition could not be read: {loaded.problem}. Its source is shown as is."
            )
        return data
    if spec_type == "openapi" or (spec_type not in KNOWN_TYPES and is_openapi(loaded.data)):
        if is_openapi(loaded.data):
            data["openapi"] = read_openapi(loaded.data)
        else:
            data["problem"] = "The definition has no 'openapi' or 'swagger' version field; its source is shown as is."
    elif spec_type == "asyncapi" or (spec_type not in KNOWN_TYPES and is_asyncapi(loaded.data)):
        if is_asyncapi(loaded.data):
            data["asyncapi"] = read_asyncapi(loaded.data)
        else:
            data["problem"] = "The definition has no 'asyncapi' version field; its source is shown as is."
    return data
