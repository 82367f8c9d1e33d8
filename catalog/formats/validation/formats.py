"""Format rules for entity fields, as Backstage's default field validators apply them.

Every rule takes a value of any type and answers whether it is acceptable. The
patterns are full-match and ASCII-only on purpose: Backstage's JavaScript
regexes have no Unicode word classes, so `\\w` would accept names it refuses.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from urllib.parse import unquote_to_bytes

_OBJECT_NAME = re.compile(r"(?:[A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS_LABEL = re.compile(r"[a-z0-9]+(?:-+[a-z0-9]+)*")
_KIND = re.compile(r"[a-zA-Z][a-z0-9A-Z]*")
_API_VERSION_SUFFIX = re.compile(r"[a-z0-9A-Z]+")
_TAG = re.compile(r"[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*")


def is_valid_object_name(value: object) -> bool:
    """A `metadata.name`: 1-63 characters, alphanumeric at both ends, `-_.` inside."""
    return isinstance(value, str) and 1 <= len(value) <= 63 and _OBJECT_NAME.fullmatch(value) is not None


def is_valid_dns_label(value: object) -> bool:
    """A lowercase DNS label of 1-63 characters; runs of dashes are allowed inside."""
    return isinstance(value, str) and 1 <= len(value) <= 63 and _DNS_LABEL.fullmatch(value) is not None


def is_valid_dns_subdomain(value: object) -> bool:
    """Dot-separated lowercase DNS labels, 1-253 characters in all."""
    return (
        isinstance(value, str)
        and 1 <= len(value) <= 253
        and all(is_valid_dns_label(label) for label in value.split("."))
    )


def is_valid_namespace(value: object) -> bool:
    """A `metadata.namespace`: a DNS label, so lowercase only (the docs say otherwise; the code wins)."""
    return is_valid_dns_label(value)


def is_valid_kind(value: object) -> bool:
    """A `kind`: a letter, then letters and digits, at most 63 characters."""
    return isinstance(value, str) and 1 <= len(value) <= 63 and _KIND.fullmatch(value) is not None


def _is_valid_api_version_suffix(value: str) -> bool:
    return 1 <= len(value) <= 63 and _API_VERSION_SUFFIX.fullmatch(value) is not None


def _prefixed(value: object, is_valid_name: Callable[[str], bool]) -> bool:
    """`<name>` or `<dns-subdomain>/<name>`, with at most one slash."""
    if not isinstance(value, str):
        return False
    parts = value.split("/")
    if len(parts) == 1:
        return is_valid_name(parts[0])
    if len(parts) == 2:
        return is_valid_dns_subdomain(parts[0]) and is_valid_name(parts[1])
    return False


def is_valid_api_version(value: object) -> bool:
    """An `apiVersion`: `<version>` or `<dns-subdomain>/<version>`."""
    return _prefixed(value, _is_valid_api_version_suffix)


def is_valid_label_key(value: object) -> bool:
    """A label or annotation key: `<name>` or `<dns-subdomain>/<name>`."""
    return _prefixed(value, is_valid_object_name)


def is_valid_label_value(value: object) -> bool:
    """A label value: empty, or a valid object name."""
    return value == "" or is_valid_object_name(value)


def is_valid_tag(value: object) -> bool:
    """A tag: 1-63 characters of `[a-z0-9:+#]` in groups joined by single dashes."""
    return isinstance(value, str) and 1 <= len(value) <= 63 and _TAG.fullmatch(value) is not None


def is_non_blank_string(value: object) -> bool:
    """A string with something other than whitespace in it."""
    return isinstance(value, str) and value.strip() != ""


# --- Absolute URLs, following the WHATWG URL parser closely enough for a yes/no verdict.

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*")
_SPECIAL_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp", "file"})
_FORBIDDEN_HOST = frozenset("\x00\t\n\r #/:<>?@[\\]^|")
_FORBIDDEN_DOMAIN = _FORBIDDEN_HOST | frozenset(chr(c) for c in range(0x20)) | {"%", "\x7f"}
_IPV4_PART = re.compile(r"0[xX][0-9a-fA-F]*|[0-9]+")
# Leading and trailing C0 controls and spaces are stripped by the parser.
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))


def _split_port(authority: str) -> tuple[str, str] | None:
    """Split `host[:port]`; None when the port is not a valid number."""
    if authority.startswith("["):
        end = authority.find("]")
        if end < 0:
            return None
        host, rest = authority[: end + 1], authority[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port = rest[1:]
    else:
        host, _, port = authority.partition(":")
    if port and (not port.isascii() or not port.isdigit() or int(port) > 65535):
        return None
    return host, port


def _is_valid_ipv6(host: str) -> bool:
    try:
        ipaddress.IPv6Address(host[1:-1])
    except ValueError:
        return False
    return True


def _ends_in_number(host: str) -> bool:
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    last = labels[-1]
    return _IPV4_PART.fullmatch(last) is not None


def _is_valid_ipv4(host: str) -> bool:
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    if len(labels) > 4:
        return False
    numbers = []
    for label in labels:
        if not label or _IPV4_PART.fullmatch(label) is None:
            return False
        if label[:2] in ("0x", "0X"):
            numbers.append(int(label[2:] or "0", 16))
        elif len(label) > 1 and label.startswith("0"):
            if any(digit in "89" for digit in label):
                return False
            numbers.append(int(label, 8))
        else:
            numbers.append(int(label))
    if any(number > 255 for number in numbers[:-1]):
        return False
    return numbers[-1] < 256 ** (5 - len(numbers))


def _is_valid_domain(host: str) -> bool:
    if not host:
        return False
    if host.startswith("["):
        return host.endswith("]") and _is_valid_ipv6(host)
    try:
        domain = unquote_to_bytes(host).decode("utf-8")
    except UnicodeDecodeError:
        return False
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    if not domain or any(character in _FORBIDDEN_DOMAIN for character in domain):
        return False
    if _ends_in_number(domain):
        return _is_valid_ipv4(domain)
    return True


def _is_valid_opaque_host(host: str) -> bool:
    if host.startswith("["):
        return host.endswith("]") and _is_valid_ipv6(host)
    return not any(character in _FORBIDDEN_HOST for character in host)


def is_absolute_url(value: object) -> bool:
    """Whether `new URL(value)` (no base) would succeed in a browser or Node.js.

    An absolute URL needs a scheme; `mailto:team@example.com` passes, `/docs`
    and `example.com` fail, and special schemes such as `https` need a host.
    """
    if not isinstance(value, str):
        return False
    text = value.strip(_C0_OR_SPACE).replace("\t", "").replace("\n", "").replace("\r", "")
    scheme, colon, rest = text.partition(":")
    if not colon or _SCHEME.fullmatch(scheme) is None:
        return False
    scheme = scheme.lower()
    if scheme == "file":
        return True
    if scheme in _SPECIAL_SCHEMES:
        rest = rest.lstrip("/\\")
        authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0]
        authority = authority.rpartition("@")[2]
        split = _split_port(authority)
        return split is not None and _is_valid_domain(split[0])
    if not rest.startswith("//"):
        return True
    authority = re.split(r"[/?#]", rest[2:], maxsplit=1)[0]
    authority = authority.rpartition("@")[2]
    split = _split_port(authority)
    return split is not None and _is_valid_opaque_host(split[0])
