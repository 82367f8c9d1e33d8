"""Scaffolder actions: the registry, the context a handler receives, and the built-in actions."""

from .context import ActionContext, ActionError, TaskCancelled
from .registry import Action, ActionInputError, UnknownAction, all_actions, get_action, register_action

__all__ = [
    "Action",
    "ActionContext",
    "ActionError",
    "ActionInputError",
    "TaskCancelled",
    "UnknownAction",
    "all_actions",
    "get_action",
    "register_action",
]
