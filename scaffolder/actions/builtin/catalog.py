"""``catalog:write`` and ``catalog:register``: the catalog is changed only through its services."""

from __future__ import annotations

import yaml

from catalog.models import Location
from catalog.services import LocationError, LocationExists, refresh_location, register_location
from catalog.services.locations import parse_location_target
from portal.registry import register_scaffolder_action

from ...workspace import WorkspaceError
from ..context import ActionContext, ActionError
from ..registry import Action
from .demo_publisher import is_demo_repository

SOURCE_TEMPLATE_ANNOTATION = "backstage.io/source-template"


def write(ctx: ActionContext) -> None:
    entity = dict(ctx.input["entity"])
    metadata = dict(entity.get("metadata") or {})
    if ctx.template_ref:
        metadata["annotations"] = {**(metadata.get("annotations") or {}), SOURCE_TEMPLATE_ANNOTATION: ctx.template_ref}
    entity["metadata"] = metadata
    path = ctx.input.get("filePath") or "catalog-info.yaml"
    try:
        ctx.workspace.write(path, yaml.safe_dump(entity, sort_keys=False).encode("utf-8"))
    except WorkspaceError as error:
        raise ActionError(f"filePath: {error}") from None
    ctx.log(f"Wrote {path}")


def join_contents_url(base: str, path: str) -> str:
    """``repoContentsUrl`` plus ``catalogInfoPath``: web URLs join with ``/``, generic ``remote#branch:`` directly."""
    path = path.lstrip("/")
    return base + path if base.endswith(":") else f"{base.rstrip('/')}/{path}"


def register(ctx: ActionContext) -> None:
    if ctx.input.get("catalogInfoUrl"):
        url = ctx.input["catalogInfoUrl"]
    elif ctx.input.get("repoContentsUrl"):
        url = join_contents_url(ctx.input["repoContentsUrl"], ctx.input.get("catalogInfoPath") or "/catalog-info.yaml")
    else:
        raise ActionError("input needs catalogInfoUrl, or repoContentsUrl (with an optional catalogInfoPath)")
    optional = bool(ctx.input.get("optional"))
    try:
        spec = parse_location_target(url)
        if spec.type != "url":
            raise LocationError(f"{url!r} is not a repository URL")
        # What the demo publisher made is readable for every user, not only platform admins.
        location = register_location(spec, trusted=ctx.trusted or is_demo_repository(url))
    except LocationExists as exists:
        if not optional:
            raise ActionError(str(exists)) from None
        location = exists.location
        ctx.log(f"{location.location_ref} is already registered")
    except LocationError as error:
        raise ActionError(f"Could not register {url}: {error}") from None
    report = refresh_location(location)
    location.refresh_from_db()
    if location.status != Location.Status.OK and not optional:
        problems = "; ".join(str(error.get("message", error)) for error in location.errors[:3]) or location.status
        raise ActionError(f"Registered {url}, but reading it failed: {problems}")
    ctx.output("catalogInfoUrl", url)
    ref = _entity_ref(location)
    if ref:
        ctx.output("entityRef", ref)
    ctx.log(f"Registered {location.location_ref}" + (f"; found {ref}" if ref else "") + f" ({len(report.added)} new)")


def _entity_ref(location: Location) -> str | None:
    """Backstage's pick: the first Component, else the first entity not named ``generated-*``, else the first."""
    entities = list(
        location.entities.exclude(kind__iexact="location").order_by("ref").values_list("kind", "name", "ref")
    )
    for kind, _, ref in entities:
        if kind.lower() == "component":
            return ref
    for _, name, ref in entities:
        if not name.startswith("generated-"):
            return ref
    return entities[0][2] if entities else None


register_scaffolder_action(
    Action(
        id="catalog:write",
        handler=write,
        description="Writes a catalog descriptor file into the workspace.",
        input_schema={
            "type": "object",
            "required": ["entity"],
            "properties": {"filePath": {"type": "string"}, "entity": {"type": "object"}},
            "additionalProperties": False,
        },
        supports_dry_run=True,
    )
)
register_scaffolder_action(
    Action(
        id="catalog:register",
        handler=register,
        description="Registers a catalog-info.yaml location in the catalog and reads it.",
        input_schema={
            "type": "object",
            "properties": {
                "catalogInfoUrl": {"type": "string"},
                "repoContentsUrl": {"type": "string"},
                "catalogInfoPath": {"type": "string"},
                "optional": {"type": "boolean"},
            },
            "additionalProperties": False,
        },
        output_schema={
            "type": "object",
            "properties": {"entityRef": {"type": "string"}, "catalogInfoUrl": {"type": "string"}},
        },
    )
)
