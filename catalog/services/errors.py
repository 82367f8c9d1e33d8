"""Problems found while processing a location, located by file, document, line and field."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

PROCESSING_ERROR_TYPE = "backstage.io/catalog-processing"


@dataclass
class ProcessingError:
    """One problem found while processing, located as precisely as the input allows."""

    location_key: str
    message: str
    document: int | None = None
    line: int | None = None
    field: str | None = None
    entity_ref: str | None = None
    level: str = "error"

    def __str__(self) -> str:
        where = self.location_key.partition(":")[2] or self.location_key
        if self.document is not None:
            where += f", document {self.document + 1}"
        if self.line is not None:
            where += f" (line {self.line})"
        if self.field and not self.message.startswith(self.field):
            where += f", {self.field}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def as_status_item(self) -> dict[str, Any]:
        """The entity ``status.items`` entry Backstage's clients read."""
        name = "InputError" if self.level == "error" else "Warning"
        return {
            "type": PROCESSING_ERROR_TYPE,
            "level": self.level,
            "message": f"{name}: {self}",
            "error": {"name": name, "message": str(self)},
        }
