"""The one call from the form to the runner: create a task for a template and values."""

from __future__ import annotations

import uuid
from typing import Any


def submit(template: Any, values: dict[str, Any], user: Any) -> uuid.UUID:
    """Start a run of ``template`` with ``values`` on behalf of ``user``; return the task's id.

    Imported lazily so the form's modules load without the runner's models.
    """
    from .services import create_task

    return create_task(template, values, user).id
