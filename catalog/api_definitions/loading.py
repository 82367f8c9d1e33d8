"""Reading a definition string into data, within limits, with a readable reason when it fails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..formats.yaml_reader import YamlFileError, iter_documents

# A definition larger than this is not parsed: its outline would be unreadable anyway.
MAX_PARSE_BYTES = 2 * 1024 * 1024
# Expanded node count and nesting depth the YAML reader accepts (alias bombs stop here).
MAX_PARSE_NODES = 200_000
MAX_PARSE_DEPTH = 48


@dataclass(frozen=True)
class Loaded:
    """The parsed document (a mapping) or the reason there is none."""

    data: dict[str, Any] | None
    problem: str | None


def load_definition(text: str) -> Loaded:
    """Parse YAML or JSON text with the catalog's safe YAML reader (JSON is YAML 1.2)."""
    raw = text.encode("utf-8", errors="replace")
    if len(raw) > MAX_PARSE_BYTES:
        return Loaded(None, f"the definition is {len(raw):,} bytes, more than the {MAX_PARSE_BYTES:,} bytes read here")
    try:
        for document in iter_documents(
            raw, source="definition", max_bytes=MAX_PARSE_BYTES, max_nodes=MAX_PARSE_NODES, max_depth=MAX_PARSE_DEPTH
        ):
            if document.error is not None:
                return Loaded(None, document.error)
            return Loaded(document.data, None)
    except YamlFileError as error:
        where = f"line {error.line}: " if error.line is not None else ""
        return Loaded(None, f"{where}{error.message}")
    return Loaded(None, "the definition is empty")
