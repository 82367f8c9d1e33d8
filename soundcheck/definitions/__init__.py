"""Check, track and campaign definitions in YAML: one format for files, the admin and the defaults.

Storing them is ``soundcheck.services.definitions.apply_definitions``.
"""

from .parse import DefinitionError, Definitions, parse_definitions

__all__ = ["DefinitionError", "Definitions", "parse_definitions"]
