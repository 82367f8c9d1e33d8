"""LDAP entries to User and Group entities, with memberships resolved by DN as Backstage resolves them.

Users get ``metadata.name`` from ``map.name`` (default ``uid``), their profile from ``displayName``,
``email`` and ``picture``, and ``spec.memberOf`` from their ``memberOf`` values and from every group
listing them in ``member``. Groups get ``spec.type`` from ``map.type`` (``unknown`` when absent),
``spec.parent`` from their ``memberOf`` values or from the group listing them as a ``member``, and
``spec.children`` from the groups they hold. Each entity carries ``backstage.io/ldap-dn``,
``backstage.io/ldap-rdn`` and ``backstage.io/ldap-uuid``. ``set`` then writes fixed values at dotted
paths. Lists are sorted, so an unchanged directory yields byte-identical entities.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from typing import Any

from .ldap_client import LdapEntry, Vendor
from .ldap_config import SearchSpec

DN_ANNOTATION = "backstage.io/ldap-dn"
RDN_ANNOTATION = "backstage.io/ldap-rdn"
UUID_ANNOTATION = "backstage.io/ldap-uuid"


def normalise_dn(dn: str) -> str:
    """A DN compared case- and space-insensitively around its separators (``CN=A, DC=x`` = ``cn=a,dc=x``)."""
    parts = []
    for rdn in dn.split(","):
        name, _, value = rdn.partition("=")
        parts.append(f"{name.strip().lower()}={value.strip().lower()}")
    return ",".join(parts)


def text(value: bytes) -> str:
    return value.decode("utf-8", errors="replace")


def uuid_text(value: bytes) -> str:
    """A UUID attribute as text: Active Directory's 16-byte ``objectGUID`` in its usual GUID form."""
    if len(value) == 16:
        try:
            value.decode("ascii")
        except UnicodeDecodeError:
            return str(uuid.UUID(bytes_le=value))
    return text(value)


def set_path(entity: dict[str, Any], dotted: str, value: Any) -> None:
    """Write ``value`` at ``a.b.c`` in ``entity``, making mappings on the way."""
    node = entity
    *parents, last = dotted.split(".")
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = copy.deepcopy(value)


class OrgBuilder:
    """Collects users and groups, then resolves their memberships in ``entities()``."""

    def __init__(self, vendor: Vendor, *, target: str) -> None:
        self.vendor = vendor
        self.target = target
        self.notes: list[str] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        # DN -> the DNs named by its memberOf values, and a group's DN -> its member values.
        self.member_of: dict[str, list[str]] = {}
        self.members: dict[str, list[str]] = {}

    def _base(self, entry: LdapEntry, spec: SearchSpec, kind: str) -> dict[str, Any] | None:
        names = entry.values(spec.map["name"])
        if not names:
            self.notes.append(f"{entry.dn} has no {spec.map['name']} attribute for its name; it is skipped")
            return None
        annotations = {DN_ANNOTATION: text((entry.values(self.vendor.dn_attribute) or [entry.dn.encode()])[0])}
        rdn = entry.values(spec.map["rdn"])
        if rdn:
            annotations[RDN_ANNOTATION] = text(rdn[0])
        uid = entry.values(self.vendor.uuid_attribute)
        if uid:
            annotations[UUID_ANNOTATION] = uuid_text(uid[0])
        metadata: dict[str, Any] = {"name": text(names[0]), "annotations": annotations}
        description = entry.values(spec.map.get("description"))
        if description:
            metadata["description"] = text(description[0])
        profile = {}
        for key in ("displayName", "email", "picture"):
            found = entry.values(spec.map.get(key))
            if found:
                profile[key] = text(found[0])
        entity: dict[str, Any] = {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": metadata}
        entity["spec"] = {"profile": profile} if profile else {}
        member_of = entry.values(spec.map.get("memberOf"))
        if member_of:
            self.member_of[normalise_dn(entry.dn)] = [normalise_dn(text(value)) for value in member_of]
        return entity

    def add_user(self, entry: LdapEntry, spec: SearchSpec) -> None:
        entity = self._base(entry, spec, "User")
        if entity is None:
            return
        entity["spec"]["memberOf"] = []
        self._keep(self.users, entry, entity, spec.set)

    def add_group(self, entry: LdapEntry, spec: SearchSpec) -> None:
        entity = self._base(entry, spec, "Group")
        if entity is None:
            return
        group_type = entry.values(spec.map.get("type"))
        entity["spec"] = {"type": text(group_type[0]) if group_type else "unknown", **entity["spec"], "children": []}
        members = entry.values(spec.map.get("members"))
        if members:
            self.members[normalise_dn(entry.dn)] = [normalise_dn(text(value)) for value in members]
        self._keep(self.groups, entry, entity, spec.set)

    def _keep(
        self, into: dict[str, dict[str, Any]], entry: LdapEntry, entity: dict[str, Any], fixed: Mapping[str, Any]
    ) -> None:
        for dotted, value in fixed.items():
            set_path(entity, dotted, value)
        key = normalise_dn(entry.dn)
        if key in self.users or key in self.groups:
            self.notes.append(f"{entry.dn} was found by two searches; the first is kept")
            return
        into[key] = entity

    def entities(self) -> list[dict[str, Any]]:
        """Every user and group, memberships resolved from both sides."""
        user_groups: dict[str, set[str]] = {dn: set() for dn in self.users}
        parents: dict[str, str] = {}
        children: dict[str, set[str]] = {dn: set() for dn in self.groups}
        for group_dn, member_dns in self.members.items():
            for member_dn in member_dns:
                if member_dn in self.users:
                    user_groups[member_dn].add(group_dn)
                elif member_dn in self.groups and member_dn != group_dn:
                    children[group_dn].add(member_dn)
                    parents.setdefault(member_dn, group_dn)
        for dn, group_dns in self.member_of.items():
            for group_dn in group_dns:
                if group_dn not in self.groups:
                    continue
                if dn in self.users:
                    user_groups[dn].add(group_dn)
                elif dn in self.groups and dn != group_dn:
                    children[group_dn].add(dn)
                    parents.setdefault(dn, group_dn)
        for dn, entity in self.users.items():
            entity["spec"]["memberOf"] = sorted(self._ref(self.groups[group]) for group in user_groups[dn])
        for dn, entity in self.groups.items():
            entity["spec"]["children"] = sorted(self._ref(self.groups[child]) for child in children[dn])
            if dn in parents:
                entity["spec"]["parent"] = self._ref(self.groups[parents[dn]])
        return [*self.users.values(), *self.groups.values()]

    @staticmethod
    def _ref(entity: dict[str, Any]) -> str:
        namespace = entity["metadata"].get("namespace") or "default"
        return f"{entity['kind'].lower()}:{namespace}/{entity['metadata']['name']}"
