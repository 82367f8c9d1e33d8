"""What an action handler receives: its input, the workspace, a logger, and a place for outputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..workspace import Workspace


class ActionError(RuntimeError):
    """An action failed for a reason the template's user should read; the message is shown in the log."""


class TaskCancelled(RuntimeError):
    """The task was cancelled while this action ran."""


@dataclass
class ActionContext:
    """The context of one action run (one step, or one iteration of an ``each`` step)."""

    task_id: str
    step_id: str
    step_name: str
    input: dict[str, Any]
    workspace: Workspace
    log: Callable[[str], None]
    base_url: str = ""
    template_ref: str = ""
    user: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    is_dry_run: bool = False
    # The task's creator is a platform admin (catalog.formats.readers.local_targets).
    trusted: bool = False
    is_cancelled: Callable[[], bool] = lambda: False
    outputs: dict[str, Any] = field(default_factory=dict)

    def output(self, name: str, value: Any) -> None:
        self.outputs[name] = value

    def check_cancelled(self) -> None:
        """Long actions call this between units of work; it raises ``TaskCancelled`` once cancel was asked."""
        if self.is_cancelled():
            raise TaskCancelled(f"Step {self.step_id} has been cancelled.")
