"""Entity references: ``[kind:][namespace/]name``, parsed and written the way Backstage does.

Parsing splits at the first ``:`` only when it comes before the first ``/``; the name keeps any
further ``/`` or ``:``. Stored refs are always lowercase ``kind:namespace/name``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_NAMESPACE = "default"


class InvalidEntityRef(ValueError):
    """A reference that cannot be parsed; the message says which part is missing."""


@dataclass(frozen=True, slots=True)
class EntityRef:
    """A parsed reference, parts kept as written (lookups compare them in lowercase)."""

    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}".lower()


def parse_entity_ref(
    ref: str,
    *,
    default_kind: str | None = None,
    default_namespace: str | None = None,
) -> EntityRef:
    """Parse ``ref``, filling a missing kind and namespace from the defaults.

    Raises ``InvalidEntityRef`` for an empty part or a missing kind without a default.
    """
    if not isinstance(ref, str):
        raise InvalidEntityRef(f"entity reference must be a string, got {type(ref).__name__}")
    colon = ref.find(":")
    slash = ref.find("/")
    kind: str | None = None
    rest = ref
    if colon != -1 and (slash == -1 or colon < slash):
        kind, rest = ref[:colon], ref[colon + 1 :]
        if not kind:
            raise InvalidEntityRef(f"entity reference {ref!r} has an empty kind")
    namespace: str | None = None
    name = rest
    slash = rest.find("/")
    if slash != -1:
        namespace, name = rest[:slash], rest[slash + 1 :]
        if not namespace:
            raise InvalidEntityRef(f"entity reference {ref!r} has an empty namespace")
    if not name:
        raise InvalidEntityRef(f"entity reference {ref!r} has an empty name")
    kind = kind or default_kind
    if not kind:
        raise InvalidEntityRef(f"entity reference {ref!r} had missing or empty kind")
    return EntityRef(kind, namespace or default_namespace or DEFAULT_NAMESPACE, name)


def entity_ref_of(entity: dict[str, Any]) -> str:
    """The lowercase ref of an entity document (its kind, namespace and name)."""
    metadata = entity.get("metadata") or {}
    namespace = metadata.get("namespace") or DEFAULT_NAMESPACE
    return f"{entity['kind']}:{namespace}/{metadata['name']}".lower()
