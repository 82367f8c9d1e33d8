"""urllib openers that connect to an address checked beforehand instead of resolving the name again.

The host is resolved and checked once (``remotes.check_remote`` or ``remotes.checked_api_address``);
connecting by name afterwards would let a second DNS answer (a rebinding) reach an address that was
never checked. TLS still verifies the certificate for the host name. Behind a proxy from the
environment (``HTTPS_PROXY``) the proxy makes the connection, so nothing is pinned there.
Redirects are never followed: a 3xx is answered as the error it is.
"""

from __future__ import annotations

import functools
import http.client
import socket
import ssl
import urllib.request
from typing import Any
from urllib.parse import urlsplit


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, pinned_address: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pinned_address = pinned_address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._pinned_address, self.port), self.timeout, self.source_address)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to an address already checked, while TLS and ``Host`` use the URL's host name."""

    def __init__(self, *args: Any, pinned_address: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pinned_address = pinned_address

    def connect(self) -> None:
        sock = socket.create_connection((self._pinned_address, self.port), self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, address: str) -> None:
        super().__init__()
        self._address = address

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_PinnedHTTPConnection, pinned_address=self._address), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, address: str, context: ssl.SSLContext | None) -> None:
        super().__init__(context=context)
        self._address = address

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(PinnedHTTPSConnection, pinned_address=self._address)
        return self.do_open(connection, req, context=self._context)


def pinned_opener(url: str, address: str, context: ssl.SSLContext | None = None) -> urllib.request.OpenerDirector:
    """An opener for requests to ``url``'s origin that connects to ``address`` and follows no redirect.

    ``context`` is the TLS trust (the system's CAs plus GREENROOM_CA_BUNDLE's, from ``tls_context``).
    """
    parts = urlsplit(url)
    if parts.scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(parts.hostname or ""):
        return urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=context))
    return urllib.request.build_opener(_NoRedirect, _PinnedHTTPHandler(address), _PinnedHTTPSHandler(address, context))
