"""``fetch:plain``, ``fetch:plain:file``, ``fetch:template`` and ``fetch:template:file``.

Skeleton file contents see only ``values`` (or ``cookiecutter`` with ``cookiecutterCompat``), as in
Backstage. File and directory names are rendered too; a name that renders empty, starts with ``/``
or contains ``//`` is skipped (how optional files work); every result is confined to the workspace.
"""

from __future__ import annotations

from typing import Any

from catalog.formats.readers.globs import glob_matches
from portal.registry import register_scaffolder_action

from ...sources import SkeletonFile, SourceError, read_single, read_skeleton
from ...templating import TemplateError, render_string
from ...workspace import WorkspaceError, clean_relative
from ..context import ActionContext, ActionError
from ..registry import Action

_URL = {"type": "string", "minLength": 1, "description": "Relative path or absolute URL of the source."}
_TARGET = {"type": "string", "description": "Directory in the workspace to write to."}
_VALUES = {"type": "object", "description": "Values the skeleton can read as values.* (or cookiecutter.*)."}
_TOKEN = {"type": "string", "description": "Unused: sources are read with the catalog's configured access."}


def _joined(target: str | None, relative: str) -> str:
    base = "/".join(clean_relative(target, field="targetPath"))
    return f"{base}/{relative}" if base else relative


def _read(ctx: ActionContext) -> list[SkeletonFile]:
    try:
        return read_skeleton(ctx.base_url, ctx.input["url"], trusted=ctx.trusted)
    except SourceError as error:
        raise ActionError(str(error)) from None


def fetch_plain(ctx: ActionContext) -> None:
    files = _read(ctx)
    for item in files:
        ctx.check_cancelled()
        try:
            ctx.workspace.write(_joined(ctx.input.get("targetPath"), item.path), item.data, executable=item.executable)
        except WorkspaceError as error:
            raise ActionError(f"Refused {item.path!r}: {error}") from None
    ctx.log(f"Fetched {len(files)} files from {ctx.input['url']}")


def fetch_plain_file(ctx: ActionContext) -> None:
    try:
        data = read_single(ctx.base_url, ctx.input["url"], trusted=ctx.trusted)
    except SourceError as error:
        raise ActionError(str(error)) from None
    clean_relative(ctx.input["targetPath"], field="targetPath")
    ctx.workspace.write(ctx.input["targetPath"], data)


def _render_context(ctx: ActionContext) -> tuple[dict[str, Any], bool]:
    compat = bool(ctx.input.get("cookiecutterCompat"))
    values = ctx.input.get("values") or {}
    return ({"cookiecutter": values} if compat else {"values": values}), compat


def _render_path(path: str, context: dict[str, Any], compat: bool) -> str | None:
    rendered = render_string(path, context, cookiecutter=compat, max_chars=4096)
    if not rendered or rendered.startswith("/") or "//" in rendered:
        return None
    return rendered


def fetch_template(ctx: ActionContext) -> None:
    files = _read(ctx)
    context, compat = _render_context(ctx)
    verbatim = ctx.input.get("copyWithoutTemplating") or []
    # The removed copyWithoutRender (neither name nor contents rendered) is still honoured for older templates.
    untouched = ctx.input.get("copyWithoutRender") or []
    extension = ctx.input.get("templateFileExtension")
    if extension is True:
        extension = ".njk"
    replace = bool(ctx.input.get("replace"))
    written = skipped = 0
    for item in files:
        ctx.check_cancelled()
        try:
            if any(glob_matches(pattern.lstrip("./"), item.path) for pattern in untouched):
                name, data = item.path, item.data
            else:
                rendered_name = _render_path(item.path, context, compat)
                if rendered_name is None:
                    skipped += 1
                    continue
                name, data = rendered_name, item.data
                render_contents = not any(glob_matches(pattern.lstrip("./"), item.path) for pattern in verbatim)
                if extension:
                    render_contents = render_contents and name.endswith(extension)
                    name = name.removesuffix(extension) if name.endswith(extension) else name
                if render_contents and _is_text(item.data):
                    data = _render_contents(ctx, item.data, context, compat)
            if ctx.workspace.write(_joined(ctx.input.get("targetPath"), name), data, executable=item.executable,
                                   replace=replace) is not None:  # fmt: skip
                written += 1
        except TemplateError as error:
            raise ActionError(f"Failed to render {item.path!r}: {error}") from None
        except WorkspaceError as error:
            raise ActionError(f"Refused {item.path!r}: {error}") from None
    ctx.log(f"Rendered {written} files from {ctx.input['url']}" + (f" ({skipped} skipped)" if skipped else ""))


def fetch_template_file(ctx: ActionContext) -> None:
    try:
        data = read_single(ctx.base_url, ctx.input["url"], trusted=ctx.trusted)
    except SourceError as error:
        raise ActionError(str(error)) from None
    context, compat = _render_context(ctx)
    if _is_text(data):
        try:
            data = _render_contents(ctx, data, context, compat)
        except TemplateError as error:
            raise ActionError(f"Failed to render {ctx.input['url']!r}: {error}") from None
    ctx.workspace.write(ctx.input["targetPath"], data, replace=bool(ctx.input.get("replace", True)))


def _render_contents(ctx: ActionContext, data: bytes, context: dict[str, Any], compat: bool) -> bytes:
    text = render_string(
        data.decode("utf-8"),
        context,
        cookiecutter=compat,
        trim_blocks=bool(ctx.input.get("trimBlocks")),
        lstrip_blocks=bool(ctx.input.get("lstripBlocks")),
    )
    return text.encode("utf-8")


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:8192]:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_TEMPLATE_OPTIONS = {
    "values": _VALUES,
    "cookiecutterCompat": {"type": "boolean"},
    "replace": {"type": "boolean"},
    "trimBlocks": {"type": "boolean"},
    "lstripBlocks": {"type": "boolean"},
    "token": _TOKEN,
}

register_scaffolder_action(
    Action(
        id="fetch:plain",
        handler=fetch_plain,
        description="Copies a directory of files from a location into the workspace, unchanged.",
        input_schema={
            "type": "object",
            "required": ["url"],
            "properties": {"url": _URL, "targetPath": _TARGET, "token": _TOKEN},
            "additionalProperties": False,
        },
        supports_dry_run=True,
    )
)
register_scaffolder_action(
    Action(
        id="fetch:plain:file",
        handler=fetch_plain_file,
        description="Copies one file from a location into the workspace.",
        input_schema={
            "type": "object",
            "required": ["url", "targetPath"],
            "properties": {"url": _URL, "targetPath": _TARGET, "token": _TOKEN},
            "additionalProperties": False,
        },
        supports_dry_run=True,
    )
)
register_scaffolder_action(
    Action(
        id="fetch:template",
        handler=fetch_template,
        description="Renders a skeleton directory (names and contents) with the given values into the workspace.",
        input_schema={
            "type": "object",
            "required": ["url"],
            "properties": {
                "url": _URL,
                "targetPath": _TARGET,
                **_TEMPLATE_OPTIONS,
                "copyWithoutTemplating": {"type": "array", "items": {"type": "string"}},
                "copyWithoutRender": {"type": "array", "items": {"type": "string"}, "deprecated": True},
                "templateFileExtension": {"type": ["string", "boolean"]},
            },
            "additionalProperties": False,
        },
        examples=[{"description": "Render ./skeleton", "example": "url: ./skeleton\nvalues:\n  name: my-service\n"}],
        supports_dry_run=True,
    )
)
register_scaffolder_action(
    Action(
        id="fetch:template:file",
        handler=fetch_template_file,
        description="Renders one template file with the given values into the workspace.",
        input_schema={
            "type": "object",
            "required": ["url", "targetPath"],
            "properties": {"url": _URL, "targetPath": _TARGET, **_TEMPLATE_OPTIONS},
            "additionalProperties": False,
        },
        supports_dry_run=True,
    )
)
