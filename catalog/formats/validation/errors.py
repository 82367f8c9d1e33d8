"""The error value every validation step reports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of an entity.

    `field` is a dotted path such as `metadata.name`, `spec.owner` or
    `metadata.tags[1]`; it is the empty string when the entity itself is wrong
    (for example, not a mapping at all).
    """

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message
