"""Who may change an entity or a location of the catalog: its owners and the platform admins.

- owners of an entity: the account resolves (``portal.identity``) to the entity's owner (a
  target of its ``ownedBy`` relations) or to a member of that group. Owners may refresh and
  delete the entity, and unregister it when they own everything its location provides;
- platform admins (``portal.permissions.is_platform_admin``) may do everything.

Unregistering an entity deletes its registered location, with every entity that location
provides. An owner may do that only when they own every entity there (the generated Location
entities aside), so one team cannot remove another team's entities by unregistering a shared
location. Locations from settings are never unregistered here: they come back with the settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.identity import ownership_refs
from portal.permissions import is_platform_admin

from .models import Entity, Location, Relation
from .querysets import owner_refs


def entity_owner_refs(entity: Entity) -> set[str]:
    """The targets of the entity's ``ownedBy`` relations (from its loaded relations when it has them)."""
    return set(owner_refs(entity))


def is_entity_owner(user, entity: Entity) -> bool:
    """Whether the account is the entity's owner or a member of its owning group."""
    refs = ownership_refs(user)
    return bool(refs) and not entity_owner_refs(entity).isdisjoint(refs)


def can_refresh_entity(user, entity: Entity) -> bool:
    return is_platform_admin(user) or is_entity_owner(user, entity)


def can_delete_entity(user, entity: Entity) -> bool:
    return is_platform_admin(user) or is_entity_owner(user, entity)


def can_change_location(user, location: Location) -> bool:
    """Admins may update or delete any registered location; an owner one whose every entity they own."""
    if location.origin == Location.Origin.CONFIG:
        return False
    if is_platform_admin(user):
        return True
    refs = ownership_refs(user)
    if not refs:
        return False
    provided = Entity.objects.filter(location=location).exclude(kind="Location")
    owned = Relation.objects.filter(type="ownedBy", target_ref__in=refs).values("source_ref")
    # Two existence checks; the relation subquery is served by the (target_ref, type) index.
    return provided.exists() and not provided.exclude(ref__in=owned).exists()


def can_refresh_location(user, location: Location) -> bool:
    """Admins may refresh any location; others one that provides an entity they own."""
    if is_platform_admin(user):
        return True
    refs = ownership_refs(user)
    if not refs:
        return False
    owned = Relation.objects.filter(type="ownedBy", target_ref__in=refs).values("source_ref")
    return Entity.objects.filter(location=location, ref__in=owned).exists()


def can_unregister_entity(user, entity: Entity) -> bool:
    """Unregistering deletes the entity's location; see the module's docstring."""
    return can_change_location(user, entity.location)


@dataclass(frozen=True)
class EntityPermissions:
    """What the viewer may do with one entity; the entity page shows only the allowed actions."""

    refresh: bool
    unregister: bool
    delete: bool

    @property
    def any(self) -> bool:
        return self.refresh or self.unregister or self.delete


def entity_permissions(user, entity: Entity) -> EntityPermissions:
    """The entity page's ``can``: computed once for the header's actions."""
    if not (user and user.is_authenticated):
        return EntityPermissions(refresh=False, unregister=False, delete=False)
    may_change = can_refresh_entity(user, entity)
    unregister = may_change and can_unregister_entity(user, entity)
    return EntityPermissions(refresh=may_change, unregister=unregister, delete=may_change)
