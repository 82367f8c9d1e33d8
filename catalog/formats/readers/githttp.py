"""Git over HTTPS: the credential and trusted CAs git is given, and what its failures mean.

Everything here travels to git as ``GIT_CONFIG_*`` environment entries (``run_git``'s ``config``),
never on a command line another process can read. The ``Authorization`` header is scoped to
``https://<host>[:port]/`` so git sends it to that host only; plain ``http://`` never gets one.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import ssl
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from .gitcommand import GitError
from .results import HttpCredential, ReaderPolicy

_PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"
# Debian's git uses libcurl with GnuTLS, other builds OpenSSL; both spellings are recognised.
_UNTRUSTED = (
    "server certificate verification failed",
    "ssl certificate problem",
    "certificate verify failed",
    "unable to get local issuer certificate",
    "self-signed certificate",
    "self signed certificate",
)
_DENIED = (
    "authentication failed",
    "could not read username",
    "could not read password",
    "returned error: 401",
    "returned error: 403",
    "http 401",
    "http 403",
)


def credential_for(policy: ReaderPolicy, url: str) -> HttpCredential | None:
    """The integration's credential for an ``https://`` URL's host, or None (also for other schemes)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    host = parts.hostname.lower()
    port = parts.port or 443
    for credential in policy.http_credentials:
        configured = credential.host.lower()
        name, _, configured_port = configured.rpartition(":")
        if configured_port.isdigit() and name and not name.endswith(":"):  # host:port, [v6]:port
            if (name.strip("[]"), int(configured_port)) == (host, port):
                return credential
        elif configured.strip("[]") == host:
            return credential
    return None


def authorization_config(policy: ReaderPolicy, clone_url: str) -> list[tuple[str, str]]:
    """``http.<url>.extraHeader`` carrying the credential for the clone URL's host, if there is one."""
    credential = credential_for(policy, clone_url)
    authorization = credential.authorization_for(clone_url) if credential is not None else None
    if authorization is None:
        return []
    netloc = urlsplit(clone_url).netloc.rpartition("@")[2]
    return [(f"http.https://{netloc}/.extraHeader", f"Authorization: {authorization}")]


def trusted_ca_file(policy: ReaderPolicy) -> Path | None:
    """A PEM file holding the system's CAs and those of ``policy.ca_bundle``; None without a bundle.

    git (``http.sslCAInfo``) trusts one file only, which would drop the public CAs, so both are
    joined once into the git cache directory, named by the content's digest.
    """
    if not policy.ca_bundle:
        return None
    try:
        extra = Path(policy.ca_bundle).read_bytes()
    except OSError as error:
        raise GitError(f"cannot read GREENROOM_CA_BUNDLE {policy.ca_bundle}: {error.strerror}") from None
    if _PEM_CERTIFICATE not in extra:
        raise GitError(f"GREENROOM_CA_BUNDLE {policy.ca_bundle} holds no PEM certificate")
    system = b""
    system_file = ssl.get_default_verify_paths().cafile
    if system_file and Path(system_file).is_file():
        system = Path(system_file).read_bytes()
    joined = system.rstrip(b"\n") + b"\n" + extra if system else extra
    target = policy.cache_dir / f"ca-bundle-{hashlib.sha256(joined).hexdigest()[:16]}.pem"
    if not target.is_file():
        policy.cache_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(dir=policy.cache_dir, prefix=".ca-bundle-")
        with os.fdopen(handle, "wb") as out:
            out.write(joined)
        Path(staging).replace(target)
    return target


def http_config(policy: ReaderPolicy, clone_url: str) -> list[tuple[str, str]]:
    """Every ``GIT_CONFIG_*`` entry git over HTTPS needs for this clone URL."""
    if urlsplit(clone_url).scheme != "https":
        return []
    ca_file = trusted_ca_file(policy)
    trust = [("http.sslCAInfo", str(ca_file))] if ca_file else []
    return [*trust, *authorization_config(policy, clone_url)]


def explain_http_failure(message: str, url: str, policy: ReaderPolicy) -> str:
    """git's (or an HTTP client's) failure for ``url``, said as what to do; credentials removed."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return message
    host = parts.netloc.rpartition("@")[2]
    lowered = message.lower()
    if any(marker in lowered for marker in _UNTRUSTED):
        if policy.ca_bundle:
            return f"certificate not trusted for {host}: its CA is neither in GREENROOM_CA_BUNDLE nor the system's"
        return f"certificate not trusted for {host}; set GREENROOM_CA_BUNDLE to a PEM file holding its CA"
    if any(marker in lowered for marker in _DENIED):
        credential = credential_for(policy, url)
        if credential is None:
            return f"{host} refused access: configure an integration for {host} (in integrations: of GREENROOM_CONFIG)"
        if not credential.configured:
            return f"{host} refused access: integration {credential.label} has no credential for git over HTTPS"
        return (
            f"authentication failed for {host} (integration {credential.label}): "
            "check its credential and that it may read this repository"
        )
    return redact(message, policy)


def redact(text: str, policy: ReaderPolicy) -> str:
    """``text`` with every configured credential (header, encoded and decoded) replaced by ``***``."""
    for credential in policy.http_credentials:
        for authorization in credential.secrets():
            for secret in _secrets_of(authorization):
                text = text.replace(secret, "***")
    return text


def _secrets_of(authorization: str | None) -> list[str]:
    if not authorization:
        return []
    scheme, _, value = authorization.partition(" ")
    found = [value]
    if scheme.lower() == "basic":
        with contextlib.suppress(ValueError):  # UnicodeDecodeError is a ValueError
            found.append(base64.b64decode(value).decode().partition(":")[2])
    return [secret for secret in found if len(secret) >= 4]
