"""The catalog's tables: registered locations, entities, their relations and their history."""

from .entities import Entity
from .history import EntityHistory
from .locations import Location
from .relations import Relation

__all__ = ["Entity", "EntityHistory", "Location", "Relation"]
