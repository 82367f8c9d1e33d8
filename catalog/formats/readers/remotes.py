"""Checks on a git remote made before git is run: allowed transports, allowed hosts, and addresses.

Resolving the host here and refusing non-public addresses keeps registered locations from reaching
the portal's own network (cloud metadata, databases, admin ports). For https, the checked address is
pinned for git (for ssh, by ``gitssh`` when the host has an ssh integration) so a second DNS answer cannot
differ from the one checked.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from .local_targets import LocalTargetRefused, check_location_is_allowed
from .results import ReaderPolicy
from .targets import GitTarget

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RemoteRefused(ValueError):
    """The policy forbids reading from this remote."""


class HostUnresolvable(RemoteRefused):
    """The host has no address right now; a later read may succeed."""


@dataclass(frozen=True)
class CheckedRemote:
    """A remote that passed the policy; ``pinned_address`` is set for https and ssh hosts resolved by name."""

    target: GitTarget
    pinned_address: str | None = None


def is_public_address(address: IPAddress) -> bool:
    """Whether an address is globally routable (not loopback, private, link-local, multicast, ...)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not address.is_multicast and not address.is_unspecified


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal is its own answer); unresolvable raises."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        return [literal]
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise HostUnresolvable(f"cannot resolve host {host!r}: {error}") from error
    return [ipaddress.ip_address(str(answer[4][0]).partition("%")[0]) for answer in answers]


def check_remote(target: GitTarget, policy: ReaderPolicy, *, resolve: bool = True) -> CheckedRemote:
    """Refuse remotes the policy does not allow; ``resolve=False`` skips DNS (for reads without network)."""
    if target.transport in ("local", "file"):
        try:
            check_location_is_allowed("url", target.clone_url, policy)
        except LocalTargetRefused as error:
            raise RemoteRefused(str(error)) from None
        return CheckedRemote(target)
    host = target.host or ""
    allowed = {name.lower() for name in policy.allowed_hosts}
    if allowed and host not in allowed:
        raise RemoteRefused(f"host {host!r} is not in the allowed git hosts")
    if not resolve:
        return CheckedRemote(target)
    port = target.port or (443 if target.transport == "https" else 22)
    addresses = resolve_host(host, port)
    if not addresses:
        raise RemoteRefused(f"host {host!r} has no addresses")
    if not policy.allow_private_addresses:
        for address in addresses:
            if not is_public_address(address):
                raise RemoteRefused(f"host {host!r} resolves to non-public address {address}; refusing to connect")
    pinned = None
    if target.transport in ("https", "ssh") and not _is_ip_literal(host):
        first = addresses[0]
        pinned = f"[{first}]" if first.version == 6 else str(first)
    return CheckedRemote(target, pinned)


def check_api_url(url: str, *, allow_private_addresses: bool) -> str:
    """``url`` without a trailing slash if a forge's HTTP API may be called there; ``RemoteRefused`` if not."""
    return checked_api_address(url, allow_private_addresses=allow_private_addresses)[0]


def checked_api_address(url: str, *, allow_private_addresses: bool) -> tuple[str, str]:
    """``url`` without a trailing slash and the checked address to connect to, or ``RemoteRefused``.

    The rules of git remotes: http(s) with a host and no credentials in it, no non-public address
    unless allowed, and plain http only to loopback when private addresses are allowed (tests).
    Connecting to the returned address, not the name again, keeps a second DNS answer from differing.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        raise RemoteRefused(f"the API URL {url!r} must be an https URL with a host")
    addresses = resolve_host(host, parts.port or (443 if parts.scheme == "https" else 80))
    if not addresses:
        raise RemoteRefused(f"the API host {host!r} has no addresses")
    if not allow_private_addresses:
        for address in addresses:
            if not is_public_address(address):
                raise RemoteRefused(f"the API host {host!r} resolves to non-public address {address}; refusing")
    if parts.scheme == "http" and not (allow_private_addresses and all(address.is_loopback for address in addresses)):
        raise RemoteRefused(f"the API URL {url!r} must use https")
    return url.rstrip("/"), str(addresses[0])
