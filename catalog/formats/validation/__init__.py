"""Validation of catalog entities, with the same verdicts as Backstage's catalog.

`validate_entity(entity)` returns a list of `FieldError`; an empty list means
the entity is valid. `KNOWN_KINDS` names the kinds Greenroom recognises.
"""

from .entity import validate_entity
from .errors import FieldError
from .kinds import KNOWN_KINDS

__all__ = ["KNOWN_KINDS", "FieldError", "validate_entity"]
