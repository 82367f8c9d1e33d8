"""``catalog.providers.ldapOrg.<id>`` read into typed settings, every refusal naming its key path.

The shape is Backstage's (``plugins/catalog-backend-module-ldap``): ``target``, ``bind: {dn,
secret}``, ``tls``, ``users`` and ``groups`` (one mapping or a list of them, each ``{dn, options,
set, map}``), ``vendor`` and ``schedule``. A ``map`` key set to ``null`` switches that mapping off
(Backstage's way to ignore one side of ``member``/``memberOf`` when a directory lets them drift).
``tls.keys`` and ``tls.certs`` are PEM files of a client key and certificate, as in Backstage. Greenroom
adds ``tls.ca`` (a PEM file of CA certificates to trust besides ``GREENROOM_CA_BUNDLE``) and
``tls.startTLS: true`` to upgrade an ``ldap://`` connection before binding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .base import Schedule
from .schedule import schedule_from_config

USER_MAP_DEFAULTS: dict[str, str | None] = {
    "rdn": "uid",
    "name": "uid",
    "description": None,
    "displayName": "cn",
    "email": "mail",
    "picture": None,
    "memberOf": "memberOf",
}
GROUP_MAP_DEFAULTS: dict[str, str | None] = {
    "rdn": "cn",
    "name": "cn",
    "description": "description",
    "type": "groupType",
    "displayName": "cn",
    "email": None,
    "picture": None,
    "memberOf": "memberOf",
    "members": "member",
}
SCOPES = ("base", "one", "sub")
DEFAULT_PAGE_SIZE = 500


@dataclass(frozen=True)
class SearchSpec:
    """One ``users`` or ``groups`` entry: where to search, how, and how entries become entities."""

    dn: str
    scope: str
    filter: str
    # None: the attributes ``map`` names, plus the vendor's DN and uuid attributes.
    attributes: tuple[str, ...] | None
    page_size: int | None
    set: Mapping[str, Any]
    map: Mapping[str, str | None]
    size_limit: int = 0
    time_limit: int = 0


@dataclass(frozen=True)
class TlsSettings:
    reject_unauthorized: bool = True
    start_tls: bool = False
    ca_file: str | None = None
    key_file: str | None = None
    cert_file: str | None = None


@dataclass(frozen=True)
class LdapSettings:
    """One configured LDAP directory."""

    provider_id: str
    target: str
    bind_dn: str | None
    # Never logged, stored or shown; only handed to the bind.
    bind_secret: str | None = field(repr=False)
    tls: TlsSettings
    users: tuple[SearchSpec, ...]
    groups: tuple[SearchSpec, ...]
    dn_attribute: str | None
    uuid_attribute: str | None
    schedule: Schedule


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{path}: must be a mapping")
    return value


def _text(value: Any, path: str, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{path}: must be a non-empty string")
    return value.strip()


def _refuse_unknown(value: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
    unknown = sorted(str(key) for key in value if key not in allowed)
    if unknown:
        raise ValueError(f"{path}: unknown key {unknown[0]!r}; expected one of {', '.join(allowed)}")


def _search(value: Any, path: str, defaults: Mapping[str, str | None]) -> SearchSpec:
    entry = _mapping(value, path)
    _refuse_unknown(entry, ("dn", "options", "set", "map"), path)
    options = _mapping(entry.get("options") or {}, f"{path}.options")
    _refuse_unknown(
        options,
        ("scope", "filter", "attributes", "paged", "sizeLimit", "timeLimit", "derefAliases", "typesOnly"),
        f"{path}.options",
    )
    scope = options.get("scope", "one")
    if scope not in SCOPES:
        raise ValueError(f"{path}.options.scope: must be one of {', '.join(SCOPES)}, not {scope!r}")
    search_filter = _text(options.get("filter", "(objectClass=*)"), f"{path}.options.filter")
    assert search_filter is not None
    if not (search_filter.startswith("(") and search_filter.endswith(")")):
        search_filter = f"({search_filter})"
    attributes = options.get("attributes")
    if isinstance(attributes, str):
        attributes = [attributes]
    if attributes is not None and (
        not isinstance(attributes, list) or not all(isinstance(item, str) and item for item in attributes)
    ):
        raise ValueError(f"{path}.options.attributes: must be a string or a list of attribute names")
    paged = options.get("paged", False)
    if isinstance(paged, bool):
        page_size = DEFAULT_PAGE_SIZE if paged else None
    elif isinstance(paged, Mapping):
        size = paged.get("pageSize", DEFAULT_PAGE_SIZE)
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"{path}.options.paged.pageSize: must be a positive integer")
        page_size = size
    else:
        raise ValueError(f"{path}.options.paged: must be true, false or {{pageSize: N}}")
    limits = {}
    for key in ("sizeLimit", "timeLimit"):
        limit = options.get(key, 0)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
            raise ValueError(f"{path}.options.{key}: must be an integer of at least 0")
        limits[key] = limit
    mapping = _mapping(entry.get("map") or {}, f"{path}.map")
    _refuse_unknown(mapping, tuple(defaults), f"{path}.map")
    resolved = dict(defaults)
    for key, attribute in mapping.items():
        resolved[key] = _text(attribute, f"{path}.map.{key}", required=False)
    for key in ("name", "rdn"):
        if resolved[key] is None:
            raise ValueError(f"{path}.map.{key}: cannot be switched off")
    settings = _mapping(entry.get("set") or {}, f"{path}.set")
    for key in settings:
        if not isinstance(key, str) or not key or any(not part for part in key.split(".")):
            raise ValueError(f"{path}.set: {key!r} is not a dotted path such as metadata.namespace")
    return SearchSpec(
        dn=_text(entry.get("dn"), f"{path}.dn") or "",
        scope=scope,
        filter=search_filter,
        attributes=tuple(attributes) if attributes is not None else None,
        page_size=page_size,
        set=dict(settings),
        map=resolved,
        size_limit=limits["sizeLimit"],
        time_limit=limits["timeLimit"],
    )


def _searches(value: Any, path: str, defaults: Mapping[str, str | None]) -> tuple[SearchSpec, ...]:
    if value is None:
        return ()
    entries = value if isinstance(value, list) else [value]
    if isinstance(value, list):
        return tuple(_search(entry, f"{path}[{index}]", defaults) for index, entry in enumerate(entries))
    return (_search(value, path, defaults),)


def _tls(value: Any, path: str, target: str) -> TlsSettings:
    tls = _mapping(value or {}, path)
    _refuse_unknown(tls, ("rejectUnauthorized", "certs", "keys", "ca", "startTLS"), path)
    for key in ("rejectUnauthorized", "startTLS"):
        if key in tls and not isinstance(tls[key], bool):
            raise ValueError(f"{path}.{key}: must be true or false")
    start_tls = tls.get("startTLS", False)
    if start_tls and target.startswith("ldaps://"):
        raise ValueError(f"{path}.startTLS: an ldaps:// target is already encrypted; use ldap:// with startTLS")
    key_file = _text(tls.get("keys"), f"{path}.keys", required=False)
    cert_file = _text(tls.get("certs"), f"{path}.certs", required=False)
    if bool(key_file) != bool(cert_file):
        raise ValueError(f"{path}: a client key (keys) and certificate (certs) are given together")
    return TlsSettings(
        reject_unauthorized=tls.get("rejectUnauthorized", True),
        start_tls=start_tls,
        ca_file=_text(tls.get("ca"), f"{path}.ca", required=False),
        key_file=key_file,
        cert_file=cert_file,
    )


def parse_ldap_entry(entry_id: str, value: Any, *, path: str) -> LdapSettings:
    """One ``ldapOrg`` entry; ``ValueError`` names the key path of the first problem."""
    entry = _mapping(value, path)
    _refuse_unknown(entry, ("target", "bind", "tls", "users", "groups", "vendor", "schedule"), path)
    target = _text(entry.get("target"), f"{path}.target") or ""
    parts = urlsplit(target)
    if parts.scheme not in ("ldap", "ldaps") or not parts.hostname:
        raise ValueError(f"{path}.target: must be an ldap:// or ldaps:// URL, not {target[:100]!r}")
    bind_dn = bind_secret = None
    if entry.get("bind") is not None:
        bind = _mapping(entry["bind"], f"{path}.bind")
        _refuse_unknown(bind, ("dn", "secret"), f"{path}.bind")
        bind_dn = _text(bind.get("dn"), f"{path}.bind.dn")
        secret = bind.get("secret")
        if not isinstance(secret, str):
            # The value is not echoed: it may be a credential spelled wrong.
            raise ValueError(f"{path}.bind.secret: must be a string (is its environment variable set?)")
        bind_secret = secret
    vendor = _mapping(entry.get("vendor") or {}, f"{path}.vendor")
    _refuse_unknown(vendor, ("dnAttributeName", "uuidAttributeName"), f"{path}.vendor")
    users = _searches(entry.get("users"), f"{path}.users", USER_MAP_DEFAULTS)
    groups = _searches(entry.get("groups"), f"{path}.groups", GROUP_MAP_DEFAULTS)
    if not users and not groups:
        raise ValueError(f"{path}: give users, groups or both")
    return LdapSettings(
        provider_id=f"ldapOrg:{entry_id}",
        target=target.rstrip("/"),
        bind_dn=bind_dn,
        bind_secret=bind_secret,
        tls=_tls(entry.get("tls"), f"{path}.tls", target),
        users=users,
        groups=groups,
        dn_attribute=_text(vendor.get("dnAttributeName"), f"{path}.vendor.dnAttributeName", required=False),
        uuid_attribute=_text(vendor.get("uuidAttributeName"), f"{path}.vendor.uuidAttributeName", required=False),
        schedule=schedule_from_config(entry.get("schedule"), path=f"{path}.schedule"),
    )
