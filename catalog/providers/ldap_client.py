"""Talking to one LDAP directory with ldap3: connect (LDAPS or StartTLS), bind, detect the vendor, search.

Every failure becomes a :class:`ProviderError` that names the target, the operation and the LDAP
result (``49 (invalidCredentials)``), never the bind secret. Certificates are checked against the
CA files of ``GREENROOM_CA_BUNDLE`` and ``tls.ca`` when given (the system's trust store when
neither is), unless ``tls.rejectUnauthorized: false``.
"""

from __future__ import annotations

import contextlib
import os
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ldap3 import BASE, LEVEL, NONE, SUBTREE, Connection, Server, Tls
from ldap3.core.exceptions import LDAPException

from .base import ProviderError
from .ldap_config import LdapSettings, SearchSpec

CA_BUNDLE_VARIABLE = "GREENROOM_CA_BUNDLE"
_SCOPES = {"base": BASE, "one": LEVEL, "sub": SUBTREE}


@dataclass(frozen=True)
class Vendor:
    """Which attributes hold an entry's DN and its unique id in a directory product."""

    name: str
    dn_attribute: str
    uuid_attribute: str


OPENLDAP = Vendor("OpenLDAP", "entryDN", "entryUUID")
ACTIVE_DIRECTORY = Vendor("Active Directory", "distinguishedName", "objectGUID")
FREEIPA = Vendor("FreeIPA", "dn", "ipaUniqueID")


@dataclass
class LdapEntry:
    """One search result: its DN and its attributes (lower-case names, raw values)."""

    dn: str
    attributes: dict[str, list[bytes]]

    def values(self, attribute: str | None) -> list[bytes]:
        if not attribute:
            return []
        if attribute.lower() == "dn":
            return [self.dn.encode()]
        return self.attributes.get(attribute.lower(), [])


def trusted_ca_data(settings: LdapSettings) -> str | None:
    """The PEM text of every CA file to trust, or None for the system's store."""
    files = [os.environ.get(CA_BUNDLE_VARIABLE, "").strip(), settings.tls.ca_file or ""]
    texts = []
    for name in files:
        if not name:
            continue
        try:
            texts.append(Path(name).read_text(encoding="ascii"))
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or error
            raise ProviderError(f"cannot read the CA file {name}: {reason}") from None
    return "\n".join(texts) or None


def describe_result(result: dict[str, Any] | None) -> str:
    """``49 (invalidCredentials)`` and the server's diagnostic, from an ldap3 result."""
    if not result:
        return "no answer"
    text = f"{result.get('result')} ({result.get('description') or 'unknown'})"
    message = str(result.get("message") or "").strip()
    return f"{text}: {message[:200]}" if message else text


class LdapClient:
    """A bound, read-only connection; use as a context manager."""

    def __init__(self, settings: LdapSettings, *, timeout_seconds: float) -> None:
        self.settings = settings
        self.timeout = max(1, int(timeout_seconds))
        self.connection: Connection | None = None

    def __enter__(self) -> LdapClient:
        settings = self.settings
        parts = urlsplit(settings.target)
        secure = parts.scheme == "ldaps"
        tls = None
        if secure or settings.tls.start_tls:
            tls = Tls(
                validate=ssl.CERT_REQUIRED if settings.tls.reject_unauthorized else ssl.CERT_NONE,
                ca_certs_data=trusted_ca_data(settings),
                local_private_key_file=settings.tls.key_file,
                local_certificate_file=settings.tls.cert_file,
            )
        try:
            server = Server(
                parts.hostname,
                port=parts.port or (636 if secure else 389),
                use_ssl=secure,
                tls=tls,
                get_info=NONE,
                connect_timeout=self.timeout,
            )
            connection = Connection(
                server,
                user=settings.bind_dn,
                password=settings.bind_secret,
                read_only=True,
                receive_timeout=self.timeout,
                raise_exceptions=False,
            )
            connection.open()
        except LDAPException as error:
            raise ProviderError(f"cannot connect to {settings.target}: {type(error).__name__}: {error}") from None
        self.connection = connection
        try:
            if settings.tls.start_tls and not connection.start_tls():
                raise ProviderError(f"StartTLS with {settings.target} failed: {describe_result(connection.result)}")
            if settings.bind_dn is not None and not connection.bind():
                raise ProviderError(
                    f"LDAP bind as {settings.bind_dn} to {settings.target} failed: "
                    f"result {describe_result(connection.result)}"
                )
        except LDAPException as error:
            self._close()
            raise ProviderError(f"{settings.target}: {type(error).__name__}: {error}") from None
        except ProviderError:
            self._close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(LDAPException):
                self.connection.unbind()
            self.connection = None

    def vendor(self) -> Vendor:
        """The directory product, from the root DSE, with the configured overrides applied."""
        detected = OPENLDAP
        entries = list(self._search("", "(objectClass=*)", BASE, ["forestFunctionality", "vendorName"], None))
        if entries:
            root = entries[0]
            vendor_name = b" ".join(root.values("vendorName")).decode(errors="replace")
            if root.values("forestFunctionality"):
                detected = ACTIVE_DIRECTORY
            elif "389" in vendor_name:
                detected = FREEIPA
        return Vendor(
            detected.name,
            self.settings.dn_attribute or detected.dn_attribute,
            self.settings.uuid_attribute or detected.uuid_attribute,
        )

    def search(self, spec: SearchSpec, vendor: Vendor) -> Iterator[LdapEntry]:
        """Every entry ``spec`` selects, page by page when it is paged.

        Without ``options.attributes`` only what the map and the vendor name is asked for: the
        entities are the same as with Backstage's ``*`` and ``+``, at a fraction of the memory.
        """
        if spec.attributes is not None:
            attributes = list(spec.attributes)
        else:
            named = [*spec.map.values(), vendor.dn_attribute, vendor.uuid_attribute]
            attributes = sorted({name for name in named if name and name.lower() != "dn"}) or ["1.1"]
        yield from self._search(
            spec.dn,
            spec.filter,
            _SCOPES[spec.scope],
            attributes,
            spec.page_size,
            size_limit=spec.size_limit,
            time_limit=spec.time_limit,
        )

    def _search(
        self,
        base: str,
        search_filter: str,
        scope: str,
        attributes: list[str],
        page_size: int | None,
        *,
        size_limit: int = 0,
        time_limit: int = 0,
    ) -> Iterator[LdapEntry]:
        connection = self.connection
        assert connection is not None
        cookie: bytes | None = None
        while True:
            try:
                connection.search(
                    base,
                    search_filter,
                    search_scope=scope,
                    attributes=attributes,
                    size_limit=size_limit,
                    time_limit=time_limit,
                    paged_size=page_size,
                    paged_cookie=cookie,
                )
            except LDAPException as error:
                raise ProviderError(
                    f"searching {base or 'the root DSE'} on {self.settings.target} failed: "
                    f"{type(error).__name__}: {error}"
                ) from None
            result = connection.result or {}
            # 0 success; 4 sizeLimitExceeded still returns the entries read up to the limit.
            if result.get("result") not in (0, 4):
                raise ProviderError(
                    f"searching {base or 'the root DSE'} with {search_filter} on {self.settings.target} "
                    f"failed: result {describe_result(result)}"
                )
            for item in connection.response or ():
                if item.get("type") != "searchResEntry":
                    continue
                raw = item.get("raw_attributes") or {}
                yield LdapEntry(item["dn"], {str(name).lower(): list(values) for name, values in raw.items()})
            if page_size is None:
                return
            controls = result.get("controls") or {}
            cookie = controls.get("1.2.840.113556.1.4.319", {}).get("value", {}).get("cookie")
            if not cookie:
                return
