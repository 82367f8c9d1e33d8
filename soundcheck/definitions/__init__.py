"""Check, track and campaign definitions in YAML: one format for files, the admin and the defaults."""

from .apply import ApplyReport, apply_definitions
from .parse import DefinitionError, Definitions, parse_definitions

__all__ = ["ApplyReport", "DefinitionError", "Definitions", "apply_definitions", "parse_definitions"]
