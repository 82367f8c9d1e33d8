"""Running a template's steps in order, as Backstage's workflow runner does.

One ``Run`` renders each step's ``if``, then ``each``, then ``input`` with the templating sandbox,
validates the input against the action's schema, runs the action in the task's workspace, and records
step-status events (``Beginning step``, ``Finished step``, ``Skipping step``, failures). After a
failure later steps are skipped unless their ``if`` calls ``always()`` or ``failure()``. ``output``
is rendered last. A dry run really runs only actions that support it (the fetch and file actions,
which write into a throwaway workspace) and skips the rest, inventing their outputs from the action's
output schema; its result lists every file the run would create, with contents.
"""

from __future__ import annotations

import base64
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .actions import ActionContext, ActionError, ActionInputError, TaskCancelled, UnknownAction, get_action
from .secrets import redact, secret_texts
from .templating import TemplateError, is_truthy, names_read, render_tree, render_value
from .workspace import Workspace, WorkspaceError

MAX_EACH_ITEMS = 200
MAX_DRY_RUN_FILE_BYTES = 512 * 1024
MAX_DRY_RUN_OUTPUT_CHARS = 4000


class EventSink(Protocol):
    def __call__(self, type: str, body: dict[str, Any]) -> None: ...


@dataclass
class RunSpec:
    """Everything a run needs, independent of where it is stored."""

    task_id: str
    template: dict[str, Any]
    values: dict[str, Any]
    secrets: dict[str, str] = field(default_factory=dict)
    user: dict[str, Any] = field(default_factory=dict)
    base_url: str = ""
    template_ref: str = ""
    is_dry_run: bool = False
    # Started by a platform admin: only then may steps name targets on this machine.
    trusted: bool = False
    redact: list[str] = field(default_factory=list)  # further texts never to be logged (secret form values)
    # Keep the workspace after the run for download (``Workspace.retire``); a stored task's real run does.
    keep_workspace: bool = False


@dataclass
class RunResult:
    status: str  # completed, failed or cancelled
    output: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    files: list[dict[str, Any]] = field(default_factory=list)
    step_outputs: dict[str, Any] = field(default_factory=dict)


def steps_of(template: dict[str, Any]) -> list[dict[str, Any]]:
    steps = (template.get("spec") or {}).get("steps") or []
    return [
        {**step, "id": str(step.get("id") or f"step-{index + 1}"), "name": step.get("name") or step.get("action", "")}
        for index, step in enumerate(steps)
        if isinstance(step, dict)
    ]


class Run:
    """One execution of a template; ``emit`` stores each event, ``is_cancelled`` is polled often."""

    def __init__(
        self,
        spec: RunSpec,
        emit: EventSink,
        *,
        is_cancelled: Callable[[], bool] = lambda: False,
        workspace: Workspace | None = None,
    ) -> None:
        self.spec = spec
        self._emit = emit
        self.is_cancelled = is_cancelled
        self.workspace = workspace or Workspace.create(spec.task_id)
        self.steps_context: dict[str, Any] = {}
        self.failed = False
        self.first_error = ""
        self._secret_texts = [*secret_texts(spec.secrets), *spec.redact]

    def emit(self, type: str, body: dict[str, Any]) -> None:
        if "message" in body:
            body = {**body, "message": redact(str(body["message"]), self._secret_texts)}
        self._emit(type, body)

    def context(self, *, with_secrets: bool = False, each: Any = None) -> dict[str, Any]:
        context: dict[str, Any] = {
            "parameters": self.spec.values,
            "steps": self.steps_context,
            "user": self.spec.user,
            "context": {"task": {"id": self.spec.task_id}},
            "always": lambda: True,
            "failure": lambda: self.failed,
        }
        if with_secrets:
            context["secrets"] = self.spec.secrets
        if each is not None:
            context["each"] = each
        return context

    def execute(self) -> RunResult:
        """Run every step; at the end the workspace is kept for download (``keep_workspace``) or removed."""
        try:
            return self._execute()
        finally:
            self.workspace.retire(self.spec.task_id, keep=self.spec.keep_workspace and not self.spec.is_dry_run)

    def _execute(self) -> RunResult:
        steps = steps_of(self.spec.template)
        self.emit("log", {"message": f"Starting up task with {len(steps)} steps"})
        for step in steps:
            if self.is_cancelled():
                return self._cancelled(step["id"])
            try:
                self._run_step(step)
            except TaskCancelled:
                return self._cancelled(step["id"])
        files = self._collect_files() if self.spec.is_dry_run and not self.failed else []
        output: dict[str, Any] = {}
        if not self.failed:
            try:
                output = _filter_output(render_tree((self.spec.template.get("spec") or {}).get("output") or {},
                                                    self.context()))  # fmt: skip
            except TemplateError as error:
                self.failed, self.first_error = True, f"Could not render the template's output: {error}"
        if self.failed:
            self.emit("completion", {"message": "Run completed with status: failed",
                                     "error": {"name": "Error", "message": self.first_error}})  # fmt: skip
            return RunResult("failed", error=self.first_error, step_outputs=self.steps_context)
        self.emit("completion", {"message": "Run completed with status: completed", "output": output})
        return RunResult("completed", output=output, files=files, step_outputs=self.steps_context)

    def _cancelled(self, step_id: str) -> RunResult:
        self.emit("cancelled", {"message": f"Step {step_id} has been cancelled.", "stepId": step_id,
                                "status": "cancelled"})  # fmt: skip
        self.emit("completion", {"message": "Run completed with status: cancelled"})
        return RunResult("cancelled", error="cancelled", step_outputs=self.steps_context)

    def _should_run(self, step: dict[str, Any], each: Any = None) -> tuple[bool, str]:
        condition = step.get("if")
        if self.failed and not _runs_after_failure(step):
            return False, "a previous step failed"
        if condition is None:
            return True, ""
        if condition is False:
            return False, "its condition is false"
        if isinstance(condition, str):
            value = render_value(condition, self.context(each=each))
            return (True, "") if is_truthy(value) else (False, "its condition is false")
        return (True, "") if is_truthy(condition) else (False, "its condition is false")

    def _run_step(self, step: dict[str, Any]) -> None:
        step_id, name = step["id"], step["name"]
        try:
            per_item = "each" in step and _condition_reads_each(step)
            # As in Backstage, ``if`` is decided before ``each`` is rendered: a skipped step's ``each``
            # is never evaluated. Only a condition that reads ``each`` waits for the items.
            if per_item:
                should_run, reason = not self.failed or _runs_after_failure(step), "a previous step failed"
            else:
                should_run, reason = self._should_run(step)
            if not should_run:
                self.emit("log", {"message": f"Skipping step {step_id} because {reason or 'a previous step failed'}",
                                  "stepId": step_id, "status": "skipped"})  # fmt: skip
                return
            self.emit("log", {"message": f"Beginning step {name}", "stepId": step_id, "status": "processing"})
            action = get_action(str(step.get("action", "")))
            if self.spec.is_dry_run and not action.supports_dry_run:
                self.steps_context[step_id] = {"output": _example_output(action.output_schema)}
                self.emit("log", {"message": f"Skipping action {action.id} in a dry run: it has side effects",
                                  "stepId": step_id, "status": "skipped"})  # fmt: skip
                self._log_dry_run_output(step_id, self.steps_context[step_id]["output"])
                return
            iterations = self._iterations(step)
            outputs: dict[str, Any] = {}
            for key, each in iterations:
                if per_item:
                    should, _ = self._should_run(step, each)
                    if not should:
                        continue
                rendered = render_tree(step.get("input") or {}, self.context(with_secrets=True, each=each))
                action.validate(rendered)
                label = action.id if each is None else f"{action.id}[{key}]"
                ctx = ActionContext(
                    task_id=self.spec.task_id,
                    step_id=step_id,
                    step_name=name,
                    input=rendered,
                    workspace=self.workspace,
                    log=lambda message, step_id=step_id, label=label: self.emit(
                        "log", {"message": f"{label}: {message}", "stepId": step_id}
                    ),
                    base_url=self.spec.base_url,
                    template_ref=self.spec.template_ref,
                    user=self.spec.user,
                    secrets=self.spec.secrets,
                    is_dry_run=self.spec.is_dry_run,
                    trusted=self.spec.trusted,
                    is_cancelled=self.is_cancelled,
                )
                action.handler(ctx)
                self.workspace.check_entries()
                if each is None:
                    outputs = ctx.outputs
                else:
                    for output_name, value in ctx.outputs.items():
                        outputs.setdefault(output_name, []).append(value)
            self.steps_context[step_id] = {"output": outputs}
            self._log_dry_run_output(step_id, outputs)
            self.emit("log", {"message": f"Finished step {name}", "stepId": step_id, "status": "completed"})
        except TaskCancelled:
            raise
        except (ActionError, ActionInputError, UnknownAction, TemplateError, WorkspaceError) as error:
            self._fail(step_id, str(error))
        except Exception as error:  # an action's bug must fail the step, not leave the task running
            self._fail(step_id, f"{type(error).__name__}: {error}")
            self.emit("log", {"message": traceback.format_exc(limit=5)[-3000:], "stepId": step_id})

    def _iterations(self, step: dict[str, Any]) -> list[tuple[str, Any]]:
        if "each" not in step:
            return [("", None)]
        items = step["each"]
        if isinstance(items, str):
            items = render_value(items, self.context())
        if isinstance(items, dict):
            pairs = [(str(key), {"key": str(key), "value": value}) for key, value in items.items()]
        elif isinstance(items, list):
            pairs = [(str(index), {"key": str(index), "value": value}) for index, value in enumerate(items)]
        else:
            raise ActionError(f"each: must render to an array or an object, not {type(items).__name__}")
        if len(pairs) > MAX_EACH_ITEMS:
            raise ActionError(f"each: {len(pairs)} items, over the limit of {MAX_EACH_ITEMS}")
        return pairs

    def _log_dry_run_output(self, step_id: str, outputs: dict[str, Any]) -> None:
        """A dry run shows what each step would hand to the next (placeholders for skipped actions)."""
        if self.spec.is_dry_run and outputs:
            text = json.dumps(outputs, sort_keys=True, default=str)[:MAX_DRY_RUN_OUTPUT_CHARS]
            self.emit("log", {"message": f"Output: {text}", "stepId": step_id})

    def _fail(self, step_id: str, message: str) -> None:
        self.emit("log", {"message": message, "stepId": step_id, "status": "failed"})
        if not self.failed:
            self.failed, self.first_error = True, redact(message, self._secret_texts)

    def _collect_files(self) -> list[dict[str, Any]]:
        files = []
        for path in self.workspace.files():
            data = path.read_bytes()[:MAX_DRY_RUN_FILE_BYTES]
            files.append(
                {
                    "path": self.workspace.relative(path),
                    "executable": self.workspace.is_executable(path),
                    "base64Content": base64.b64encode(data).decode(),
                }
            )
        return files


def _condition_reads_each(step: dict[str, Any]) -> bool:
    condition = step.get("if")
    return isinstance(condition, str) and "each" in names_read(condition)


def _runs_after_failure(step: dict[str, Any]) -> bool:
    condition = step.get("if")
    return isinstance(condition, str) and ("always()" in condition or "failure()" in condition)


def _filter_output(output: dict[str, Any]) -> dict[str, Any]:
    """Drop ``links``/``text`` items whose ``if`` is falsy, and the ``if`` key from the rest."""
    result = dict(output)
    for key in ("links", "text"):
        items = output.get(key)
        if isinstance(items, list):
            result[key] = [
                {name: value for name, value in item.items() if name != "if"}
                for item in items
                if isinstance(item, dict) and ("if" not in item or is_truthy(item["if"]))
            ]
    return result


def _example_output(schema: dict[str, Any]) -> dict[str, Any]:
    placeholders = {"string": "<example>", "number": 0, "integer": 0, "boolean": False, "array": [], "object": {}}
    properties = (schema or {}).get("properties") or {}
    return {
        name: (prop.get("examples") or [placeholders.get(str(prop.get("type")), "<example>")])[0]
        for name, prop in properties.items()
    }
