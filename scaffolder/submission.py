"""The one call from the form to the runner: create a task for a template and values."""

from __future__ import annotations

import uuid
from typing import Any

from .parameters import FieldError


class SubmissionRefused(ValueError):
    """The runner refused the values; ``errors`` name the fields."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(error) for error in errors))
        self.errors = errors


def submit(template: Any, values: dict[str, Any], user: Any, *, dry_run: bool = False) -> uuid.UUID:
    """Start a run of ``template`` with ``values`` on behalf of ``user``; return the task's id.

    A ``dry_run`` runs only the steps without side effects, in a throwaway workspace.

    The runner's modules are imported here, at the call, so the form's modules load without them.
    """
    from .services import TaskValidationError, create_task

    try:
        return create_task(template, values, user, dry_run=dry_run).id
    except TaskValidationError as error:
        raise SubmissionRefused(error.errors) from error
