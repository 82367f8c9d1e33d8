"""The action registry: built-in and custom actions, each with an id, an input JSON Schema and a handler.

Actions live in ``portal.registry`` (``register_scaffolder_action``), where the scaffolder's own
built-ins, other apps and plugins add theirs from their ``AppConfig.ready()``::

    from portal.registry import ScaffolderAction, register_scaffolder_action

    register_scaffolder_action(ScaffolderAction(id="acme:notify", handler=notify, input_schema={...}))

``register_action`` here is the same call, and ``get_action``/``all_actions`` read that registry.

The input a step passes is validated against ``input_schema`` (JSON Schema, draft 2020-12) before the
handler runs; a failure stops the step with messages naming the fields.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from jsonschema import Draft202012Validator

from portal.registry import (
    ScaffolderAction,
    register_scaffolder_action,
    scaffolder_action,
    scaffolder_actions,
    unregister_scaffolder_action,
)


class UnknownAction(LookupError):
    """No action is registered under the id a step names."""


class ActionInputError(ValueError):
    """A step's input does not match the action's schema; ``messages`` name each field."""

    def __init__(self, action_id: str, messages: list[str]) -> None:
        super().__init__(f"Invalid input passed to action {action_id}: " + "; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Action(ScaffolderAction):
    """One action (``portal.registry.ScaffolderAction``) with the scaffolder's checks and Backstage's shape."""

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


def register_action(action: ScaffolderAction, *, replace: bool = False) -> ScaffolderAction:
    """Add ``action``; registering an id twice is an error unless ``replace`` (for tests and overrides)."""
    return register_scaffolder_action(action, replace=replace)


def unregister_action(action_id: str) -> None:
    unregister_scaffolder_action(action_id)


def get_action(action_id: str) -> Action:
    action = scaffolder_action(action_id)
    if action is None:
        raise UnknownAction(f"Template action with ID '{action_id}' is not registered.")
    return _as_action(action)


def all_actions() -> list[Action]:
    """Every registered action, sorted by id (as ``GET /v2/actions`` lists them)."""
    return [_as_action(action) for action in scaffolder_actions()]


def _as_action(action: ScaffolderAction) -> Action:
    """An action registered as a plain ``ScaffolderAction`` (a plugin's), with the scaffolder's methods."""
    if isinstance(action, Action):
        return action
    return Action(**{item.name: getattr(action, item.name) for item in fields(ScaffolderAction)})
