"""The catalog's tables: locations, entity providers, entities, their relations and history, and stars."""

from .. import db  # noqa: F401 - registers the __any lookup
from .entities import Entity
from .history import EntityHistory
from .locations import Location
from .providers import ProviderState
from .relations import Relation
from .stars import Star
from .stitched import EntityRelations

__all__ = ["Entity", "EntityHistory", "EntityRelations", "Location", "ProviderState", "Relation", "Star"]
