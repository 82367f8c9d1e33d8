"""The action registry: built-in and custom actions, each with an id, an input JSON Schema and a handler.

Another Django app adds an action from its ``AppConfig.ready()``::

    from scaffolder.actions import Action, register_action

    register_action(Action(id="acme:notify", handler=notify, input_schema={...}, description="..."))

The input a step passes is validated against ``input_schema`` (JSON Schema, draft 2020-12) before the
handler runs; a failure stops the step with messages naming the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator

if TYPE_CHECKING:
    from .context import ActionContext


class UnknownAction(LookupError):
    """No action is registered under the id a step names."""


class ActionInputError(ValueError):
    """A step's input does not match the action's schema; ``messages`` name each field."""

    def __init__(self, action_id: str, messages: list[str]) -> None:
        super().__init__(f"Invalid input passed to action {action_id}: " + "; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Action:
    """One action. ``supports_dry_run`` actions really run in a dry run; others are skipped there."""

    id: str
    handler: Callable[[ActionContext], None]
    input_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    output_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    description: str = ""
    examples: list[dict[str, str]] = field(default_factory=list)
    supports_dry_run: bool = False

    def validate(self, value: Any) -> None:
        """Raise ``ActionInputError`` listing every problem with ``value``."""
        validator = Draft202012Validator(self.input_schema)
        errors = sorted(validator.iter_errors(value), key=lambda error: list(error.absolute_path))
        if errors:
            raise ActionInputError(self.id, [_describe(error) for error in errors[:20]])

    def as_backstage(self) -> dict[str, Any]:
        """The ``GET /v2/actions`` shape."""
        return {
            "id": self.id,
            "description": self.description,
            "examples": self.examples,
            "schema": {"input": self.input_schema, "output": self.output_schema},
        }


def _describe(error: Any) -> str:
    where = ".".join(str(part) for part in error.absolute_path)
    return f"input.{where} {error.message}" if where else f"input {error.message}"


_actions: dict[str, Action] = {}


def register_action(action: Action, *, replace: bool = False) -> Action:
    """Add ``action``; registering an id twice is an error unless ``replace`` (for tests and overrides)."""
    Draft202012Validator.check_schema(action.input_schema)
    if action.id in _actions and not replace and _actions[action.id] is not action:
        raise ValueError(f"an action with id {action.id!r} is already registered")
    _actions[action.id] = action
    return action


def unregister_action(action_id: str) -> None:
    _actions.pop(action_id, None)


def get_action(action_id: str) -> Action:
    _load_builtins()
    try:
        return _actions[action_id]
    except KeyError:
        raise UnknownAction(f"Template action with ID '{action_id}' is not registered.") from None


def all_actions() -> list[Action]:
    """Every registered action, sorted by id (as ``GET /v2/actions`` lists them)."""
    _load_builtins()
    return [_actions[key] for key in sorted(_actions)]


def _load_builtins() -> None:
    from . import builtin  # noqa: F401  (registers on import)
