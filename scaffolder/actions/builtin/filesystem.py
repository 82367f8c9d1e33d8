"""``fs:rename`` and ``fs:delete``, confined to the workspace."""

from __future__ import annotations

import shutil

from catalog.formats.readers.globs import glob_matches
from portal.registry import register_scaffolder_action

from ...workspace import WorkspaceError
from ..context import ActionContext, ActionError
from ..registry import Action


def rename(ctx: ActionContext) -> None:
    for index, item in enumerate(ctx.input["files"]):
        try:
            source = ctx.workspace.path(item["from"], field=f"files[{index}].from")
            target = ctx.workspace.path(item["to"], field=f"files[{index}].to")
        except WorkspaceError as error:
            raise ActionError(str(error)) from None
        if not source.exists():
            raise ActionError(f"files[{index}].from: {item['from']!r} does not exist in the workspace")
        if target.exists() and not item.get("overwrite"):
            raise ActionError(f"files[{index}].to: {item['to']!r} already exists (set overwrite: true to replace it)")
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            shutil.rmtree(target)
        source.rename(target)
        ctx.log(f"Renamed {item['from']} to {item['to']}")


def delete(ctx: ActionContext) -> None:
    patterns = ctx.input["files"]
    for pattern in patterns:
        if not isinstance(pattern, str) or pattern.startswith("/") or ".." in pattern.split("/"):
            raise ActionError(f"files: {pattern!r} must be a relative glob inside the workspace")
    removed = 0
    try:
        for path in list(ctx.workspace.files()):
            relative = ctx.workspace.relative(path)
            if any(glob_matches(pattern.lstrip("./"), relative) for pattern in patterns):
                path.unlink()
                removed += 1
        for pattern in patterns:  # a pattern naming a directory removes it
            target = ctx.workspace.path(pattern)
            if target.is_dir() and target != ctx.workspace.root:
                shutil.rmtree(target)
                removed += 1
    except WorkspaceError as error:
        raise ActionError(str(error)) from None
    ctx.log(f"Deleted {removed} paths")


register_scaffolder_action(
    Action(
        id="fs:rename",
        handler=rename,
        description="Renames files or directories in the workspace.",
        input_schema={
            "type": "object",
            "required": ["files"],
            "properties": {
                "files": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["from", "to"],
                        "properties": {
                            "from": {"type": "string"},
                            "to": {"type": "string"},
                            "overwrite": {"type": "boolean"},
                        },
                        "additionalProperties": False,
                    },
                }
            },
            "additionalProperties": False,
        },
        supports_dry_run=True,
    )
)
register_scaffolder_action(
    Action(
        id="fs:delete",
        handler=delete,
        description="Deletes files (globs) from the workspace.",
        input_schema={
            "type": "object",
            "required": ["files"],
            "properties": {"files": {"type": "array", "items": {"type": "string"}}},
            "additionalProperties": False,
        },
        supports_dry_run=True,
    )
)
