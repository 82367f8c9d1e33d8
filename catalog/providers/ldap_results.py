"""LDAP result codes as RFC 4511 names them, for error messages: ``49 (invalidCredentials)``.

python-ldap raises one exception class per result code, named in libldap's style
(``INVALID_CREDENTIALS``); the message gives the code, the RFC's name and the server's diagnostic.
"""

from __future__ import annotations

import ldap

# Where RFC 4511's name is not the class name in camel case.
_RFC_NAMES = {
    ldap.SIZELIMIT_EXCEEDED: "sizeLimitExceeded",
    ldap.TIMELIMIT_EXCEEDED: "timeLimitExceeded",
    ldap.ADMINLIMIT_EXCEEDED: "adminLimitExceeded",
    ldap.STRONG_AUTH_REQUIRED: "strongerAuthRequired",
    ldap.INSUFFICIENT_ACCESS: "insufficientAccessRights",
    ldap.INVALID_DN_SYNTAX: "invalidDNSyntax",
    ldap.ALIAS_DEREF_PROBLEM: "aliasDereferencingProblem",
    ldap.NOT_ALLOWED_ON_NONLEAF: "notAllowedOnNonLeaf",
    ldap.NOT_ALLOWED_ON_RDN: "notAllowedOnRDN",
}


def result_name(error_class: type[BaseException]) -> str:
    """``invalidCredentials`` for ``ldap.INVALID_CREDENTIALS``."""
    if error_class in _RFC_NAMES:
        return _RFC_NAMES[error_class]
    first, *rest = error_class.__name__.lower().split("_")
    return first + "".join(word.capitalize() for word in rest)


def describe_error(error: BaseException) -> str:
    """``49 (invalidCredentials): <the server's diagnostic>``, or the client's own reason (no
    server answer: ``-1 (serverDown): Can't contact LDAP server``)."""
    details = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
    if not details:
        return f"{type(error).__name__}: {error}"
    code = details.get("result")
    text = f"{code} ({result_name(type(error))})" if code is not None else result_name(type(error))
    reasons = [str(details.get(key) or "").strip() for key in ("desc", "info")]
    # The description repeats the name for server results; it is the only reason for client errors.
    message = "; ".join(reason for reason in reasons if reason and reason.strip("()").lower() != "unknown error code")
    if isinstance(code, int) and code >= 0 and details.get("info"):
        message = str(details["info"]).strip()
    return f"{text}: {message[:200]}" if message else text
