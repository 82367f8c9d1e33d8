"""``debug:log`` and ``debug:wait``."""

from __future__ import annotations

import time

from portal.registry import register_scaffolder_action

from ..context import ActionContext
from ..registry import Action

MAX_WAIT_SECONDS = 600


def log(ctx: ActionContext) -> None:
    if ctx.input.get("message") is not None:
        ctx.log(str(ctx.input["message"]))
    listing = ctx.input.get("listWorkspace")
    if listing:
        lines = []
        for path in ctx.workspace.files():
            line = f"  {ctx.workspace.relative(path)}"
            if listing == "with-contents":
                line += ":\n" + path.read_text(errors="replace")[:4000]
            lines.append(line)
        ctx.log("Workspace:\n" + "\n".join(lines))


def wait(ctx: ActionContext) -> None:
    seconds = ctx.input.get("minutes", 0) * 60 + ctx.input.get("seconds", 0) + ctx.input.get("milliseconds", 0) / 1000
    deadline = time.monotonic() + min(seconds, MAX_WAIT_SECONDS)
    while time.monotonic() < deadline:
        ctx.check_cancelled()
        time.sleep(min(0.2, max(deadline - time.monotonic(), 0)))
    ctx.check_cancelled()


register_scaffolder_action(
    Action(
        id="debug:log",
        handler=log,
        description="Writes a message to the task log, and optionally lists the workspace.",
        input_schema={
            "type": "object",
            "properties": {
                "message": {"type": ["string", "number", "boolean", "null"]},
                "listWorkspace": {"oneOf": [{"type": "boolean"}, {"enum": ["with-filenames", "with-contents"]}]},
                "extra": {},
            },
        },
        supports_dry_run=True,
    )
)
register_scaffolder_action(
    Action(
        id="debug:wait",
        handler=wait,
        description=f"Waits for a while (at most {MAX_WAIT_SECONDS} seconds); cancelling stops the wait.",
        input_schema={
            "type": "object",
            "properties": {
                "minutes": {"type": "number", "minimum": 0},
                "seconds": {"type": "number", "minimum": 0},
                "milliseconds": {"type": "number", "minimum": 0},
            },
            "additionalProperties": False,
        },
        supports_dry_run=True,
    )
)
