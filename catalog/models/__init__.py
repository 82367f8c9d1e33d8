"""The catalog's tables: registered locations, entities, their relations, their history, and people's stars."""

from .. import db  # noqa: F401 - registers the __any lookup
from .entities import Entity
from .history import EntityHistory
from .locations import Location
from .relations import Relation
from .stars import Star
from .stitched import EntityRelations

__all__ = ["Entity", "EntityHistory", "EntityRelations", "Location", "Relation", "Star"]
