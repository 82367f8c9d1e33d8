"""API tokens, as callers outside the portal name them; the code is ``portal.services.tokens``.

Issuing, checking and revoking a token write rows (the token, its last use, the audit log), so they
live with the portal's other writes; this module keeps the name scripts, tests and other apps import.
"""

from portal.services.tokens import (
    DISPLAY_PREFIX_LENGTH,
    LAST_USED_RESOLUTION,
    TOKEN_PREFIX,
    TokenError,
    authenticate_token,
    check_token,
    forget_checked_tokens,
    issue_token,
    revoke_token,
    token_digest,
)

__all__ = [
    "DISPLAY_PREFIX_LENGTH",
    "LAST_USED_RESOLUTION",
    "TOKEN_PREFIX",
    "TokenError",
    "authenticate_token",
    "check_token",
    "forget_checked_tokens",
    "issue_token",
    "revoke_token",
    "token_digest",
]
