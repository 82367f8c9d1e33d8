"""The pinned opener over TLS: it connects to the checked address and verifies the host's certificate."""

from __future__ import annotations

import contextlib
import datetime
import ssl
import threading
import urllib.error
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from catalog.config import catalog_settings
from catalog.formats.readers.pinned_http import pinned_opener


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def _serving_tls(cert: Path, key: Path) -> Iterator[int]:
    """An https server on 127.0.0.1 with ``cert``, answering ``{}``; yields its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for proxy in ("https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(proxy, raising=False)


@pytest.fixture
def tls_server(tmp_path, monkeypatch):
    """An https server with a certificate for forge.replay.test, trusted through SSL_CERT_FILE."""
    cert, key = _certificate(tmp_path, "forge.replay.test")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with _serving_tls(cert, key) as port:
        yield port


def test_connects_over_tls_to_the_pinned_address_for_the_certificate_s_host(tls_server):
    # forge.replay.test has no DNS entry: the request can only reach the server through the pin.
    url = f"https://forge.replay.test:{tls_server}/api"

    with pinned_opener(url, "127.0.0.1").open(url, timeout=5) as response:
        assert (response.status, response.read()) == (200, b"{}")


def test_a_certificate_for_another_host_is_refused(tls_server):
    url = f"https://other.replay.test:{tls_server}/api"

    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):
        pinned_opener(url, "127.0.0.1").open(url, timeout=5)


@pytest.fixture
def private_ca_server(tmp_path, monkeypatch):
    """An https server for localhost whose certificate only GREENROOM_CA_BUNDLE's file vouches for."""
    cert, key = _certificate(tmp_path, "localhost")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with _serving_tls(cert, key) as port:
        yield port, cert


def test_forge_api_calls_trust_the_ca_bundle_and_refuse_without_it(private_ca_server, settings):
    from catalog.providers.base import ProviderError
    from catalog.providers.forge_http import ForgeApi

    port, cert = private_ca_server
    settings.CATALOG = {**settings.CATALOG, "ALLOW_PRIVATE_ADDRESSES": True, "CA_BUNDLE": ""}
    catalog_settings.cache_clear()
    api = ForgeApi(f"https://localhost:{port}/api/v3", "localhost", "github[0]", {})
    with pytest.raises(ProviderError, match=f"certificate not trusted for localhost:{port}; set GREENROOM_CA_BUNDLE"):
        api.get("/orgs/acme")

    settings.CATALOG = {**settings.CATALOG, "CA_BUNDLE": str(cert)}
    catalog_settings.cache_clear()
    api = ForgeApi(f"https://localhost:{port}/api/v3", "localhost", "github[0]", {})
    assert api.get("/orgs/acme") == {}


def test_an_unreadable_ca_bundle_is_named(private_ca_server, settings, tmp_path):
    from catalog.providers.base import ProviderError
    from catalog.providers.forge_http import ForgeApi

    port, _ = private_ca_server
    missing = tmp_path / "nowhere.pem"
    settings.CATALOG = {**settings.CATALOG, "ALLOW_PRIVATE_ADDRESSES": True, "CA_BUNDLE": str(missing)}
    catalog_settings.cache_clear()
    with pytest.raises(ProviderError, match=f"cannot read GREENROOM_CA_BUNDLE {missing}"):
        ForgeApi(f"https://localhost:{port}/api/v3", "localhost", "github[0]", {})
