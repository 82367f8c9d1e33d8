"""Talking to one LDAP directory through OpenLDAP's libldap (python-ldap): connect (LDAPS or
StartTLS), bind, detect the vendor, search.

libldap decodes the answers in C: a 100,000-user directory is read several times faster than by a
pure-Python client (docs/ldap.md, Scale). Every failure becomes a :class:`ProviderError` that names
the target, the operation and the LDAP result (``49 (invalidCredentials)``), never the bind secret.
Certificates are checked against the CA files of ``GREENROOM_CA_BUNDLE`` and ``tls.ca`` when given
(the system's trust store when neither is), unless ``tls.rejectUnauthorized: false``.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .base import ProviderError

try:
    import ldap
    from ldap.controls import SimplePagedResultsControl
except ModuleNotFoundError as missing:  # python-ldap is the ``ldap`` extra (pyproject.toml)
    raise ImportError(
        "python-ldap is not installed: install libldap2-dev, libsasl2-dev and a C compiler, then run "
        "scripts/_env.sh again (or pip install 'greenroom[ldap]')"
    ) from missing

from .ldap_config import LdapSettings, SearchSpec
from .ldap_results import describe_error

CA_BUNDLE_VARIABLE = "GREENROOM_CA_BUNDLE"
_SCOPES = {"base": ldap.SCOPE_BASE, "one": ldap.SCOPE_ONELEVEL, "sub": ldap.SCOPE_SUBTREE}
# Errors before any answer came: nothing was reached, or TLS could not be set up.
_NOT_CONNECTED = (ldap.SERVER_DOWN, ldap.CONNECT_ERROR, ldap.TIMEOUT)
# libldap (GnuTLS) reports a refused handshake as a bare connectError, without the reason.
_HANDSHAKE_FAILED = (
    "the TLS handshake failed (most often: certificate verify failed, the server's certificate is not "
    "signed by a trusted CA (tls.ca, GREENROOM_CA_BUNDLE, else the system's store) or not issued for "
    "this host name)"
)


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


class LdapClient:
    """A bound, read-only connection; use as a context manager."""

    def __init__(self, settings: LdapSettings, *, timeout_seconds: float) -> None:
        self.settings = settings
        self.timeout = max(1, int(timeout_seconds))
        self.connection: ldap.ldapobject.LDAPObject | None = None

    def __enter__(self) -> LdapClient:
        settings = self.settings
        secure = settings.target.lower().startswith("ldaps:")
        # libldap reads CA certificates from a file only: both files' text goes to one, readable by
        # this process alone and removed once the TLS context holding them is made.
        with tempfile.TemporaryDirectory(prefix="greenroom-ldap-") as scratch:
            try:
                connection = ldap.initialize(settings.target)
            except ldap.LDAPError as error:
                raise ProviderError(f"cannot connect to {settings.target}: {describe_error(error)}") from None
            self.connection = connection
            try:
                self._configure(connection, Path(scratch), tls=secure or settings.tls.start_tls)
                if settings.tls.start_tls:
                    self._start_tls(connection)
                if settings.bind_dn is not None:
                    self._bind(connection)
            except ProviderError:
                self._close()
                raise
        return self

    def _configure(self, connection: ldap.ldapobject.LDAPObject, scratch: Path, *, tls: bool) -> None:
        connection.protocol_version = ldap.VERSION3
        # Referrals would be followed anonymously (Active Directory returns them for its other partitions).
        connection.set_option(ldap.OPT_REFERRALS, 0)
        connection.set_option(ldap.OPT_NETWORK_TIMEOUT, self.timeout)
        connection.set_option(ldap.OPT_TIMEOUT, self.timeout)
        connection.timeout = self.timeout
        if not tls:
            return
        settings = self.settings
        ca_data = trusted_ca_data(settings)
        if ca_data is not None:
            ca_file = scratch / "ca.pem"
            ca_file.write_text(ca_data, encoding="ascii")
            connection.set_option(ldap.OPT_X_TLS_CACERTFILE, str(ca_file))
        elif ssl.get_default_verify_paths().cafile:
            connection.set_option(ldap.OPT_X_TLS_CACERTFILE, ssl.get_default_verify_paths().cafile)
        demand = ldap.OPT_X_TLS_DEMAND if settings.tls.reject_unauthorized else ldap.OPT_X_TLS_NEVER
        connection.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, demand)
        if settings.tls.cert_file:
            connection.set_option(ldap.OPT_X_TLS_CERTFILE, settings.tls.cert_file)
        if settings.tls.key_file:
            connection.set_option(ldap.OPT_X_TLS_KEYFILE, settings.tls.key_file)
        try:
            # The options above take effect in a context of this connection's own, made now.
            connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        except (ValueError, ldap.LDAPError) as error:
            raise ProviderError(f"cannot set up TLS for {settings.target}: {describe_error(error)}") from None

    def _start_tls(self, connection: ldap.ldapobject.LDAPObject) -> None:
        try:
            connection.start_tls_s()
        except ldap.CONNECT_ERROR as error:
            raise ProviderError(
                f"StartTLS with {self.settings.target} failed: {_HANDSHAKE_FAILED}: {describe_error(error)}"
            ) from None
        except ldap.LDAPError as error:
            raise ProviderError(f"StartTLS with {self.settings.target} failed: {describe_error(error)}") from None

    def _bind(self, connection: ldap.ldapobject.LDAPObject) -> None:
        settings = self.settings
        try:
            connection.simple_bind_s(settings.bind_dn, settings.bind_secret or "")
        except _NOT_CONNECTED as error:
            reason = describe_error(error)
            if settings.target.lower().startswith("ldaps:"):
                # libldap reports an LDAPS handshake it refused as it reports an unreachable server.
                reason = f"{reason}: the server is unreachable, or {_HANDSHAKE_FAILED}"
            raise ProviderError(f"cannot connect to {settings.target}: {reason}") from None
        except ldap.LDAPError as error:
            raise ProviderError(
                f"LDAP bind as {settings.bind_dn} to {settings.target} failed: result {describe_error(error)}"
            ) from None

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(ldap.LDAPError):
                self.connection.unbind_s()
            self.connection = None

    def vendor(self) -> Vendor:
        """The directory product, from the root DSE, with the configured overrides applied."""
        detected = OPENLDAP
        entries = list(
            self._search("", "(objectClass=*)", ldap.SCOPE_BASE, ["forestFunctionality", "vendorName"], None)
        )
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
        scope: int,
        attributes: list[str],
        page_size: int | None,
        *,
        size_limit: int = 0,
        time_limit: int = 0,
    ) -> Iterator[LdapEntry]:
        connection = self.connection
        assert connection is not None
        paging = SimplePagedResultsControl(True, size=page_size, cookie=b"") if page_size is not None else None
        where = f"searching {base or 'the root DSE'}"
        while True:
            try:
                message = connection.search_ext(
                    base,
                    scope,
                    search_filter,
                    attributes,
                    serverctrls=[paging] if paging is not None else None,
                    timeout=time_limit or -1,
                    sizelimit=size_limit,
                )
            except ldap.LDAPError as error:
                raise ProviderError(
                    f"{where} with {search_filter} on {self.settings.target} failed: {describe_error(error)}"
                ) from None
            controls = yield from self._entries(message, where, search_filter)
            if paging is None or controls is None:
                return
            cookie = next(
                (
                    control.cookie
                    for control in controls
                    if control.controlType == SimplePagedResultsControl.controlType
                ),
                b"",
            )
            if not cookie:
                return
            paging.cookie = cookie

    def _entries(self, message: int, where: str, search_filter: str) -> Iterator[LdapEntry]:
        """The entries of one search request as they arrive; returns the final result's controls,
        or None when the server stopped at the size limit (the entries up to it are kept)."""
        connection = self.connection
        assert connection is not None
        while True:
            try:
                kind, data, _, controls = connection.result3(message, all=0, timeout=self.timeout)
            except ldap.SIZELIMIT_EXCEEDED:
                return None
            except ldap.LDAPError as error:
                raise ProviderError(
                    f"{where} with {search_filter} on {self.settings.target} failed: result {describe_error(error)}"
                ) from None
            if kind == ldap.RES_SEARCH_RESULT:
                return controls
            if kind != ldap.RES_SEARCH_ENTRY:
                continue
            for dn, raw in data:
                yield LdapEntry(dn, {name.lower(): values for name, values in raw.items()})
