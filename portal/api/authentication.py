"""``Authorization: Bearer <token>`` for the API, with tokens from ``portal.services.tokens``."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from portal.models import ApiToken
from portal.services.tokens import TokenError, check_token

_EXPECTED = "expected 'Authorization: Bearer <token>'"


class BearerTokenAuthentication(BaseAuthentication):
    """Authenticates a request by its bearer token; ``request.auth`` is the ``ApiToken``.

    Without an Authorization header it returns None, so session sign-in and the anonymous-read
    rule apply. Any other Authorization header is an error rather than ignored: a caller who sent
    credentials should learn they were not accepted instead of being served as anonymous.
    """

    keyword = "Bearer"

    def authenticate(self, request) -> tuple[object, ApiToken] | None:
        header = get_authorization_header(request)
        if not header.strip():
            return None
        try:
            parts = header.decode("ascii").split()
        except UnicodeDecodeError:
            raise AuthenticationFailed(f"malformed Authorization header: {_EXPECTED}") from None
        if parts[0].lower() != self.keyword.lower():
            raise AuthenticationFailed(f"unsupported authorization scheme '{parts[0]}': {_EXPECTED}")
        if len(parts) == 1:
            raise AuthenticationFailed(f"no token after 'Bearer': {_EXPECTED}")
        if len(parts) > 2:
            raise AuthenticationFailed(f"the token must not contain spaces: {_EXPECTED}")
        try:
            token = check_token(parts[1])
        except TokenError as error:
            raise AuthenticationFailed(str(error)) from None
        return token.user, token

    def authenticate_header(self, request) -> str:
        # A WWW-Authenticate value makes DRF answer 401 rather than 403 to unauthenticated calls.
        return self.keyword
