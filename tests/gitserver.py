"""A private git host for tests: git's own ``git http-backend`` over HTTPS, demanding authorization.

The server runs on 127.0.0.1 on a free port with a certificate signed by a throwaway CA that
``openssl`` makes in a temporary folder, so clients must be told to trust ``ca_file``. Every request
needs an ``Authorization`` header the server accepts (HTTP Basic user and password pairs, or Bearer
tokens); anything else is answered 401 with ``WWW-Authenticate: Basic``, as GitHub Enterprise does.
Repositories are bare, under ``root``; ``HostedRepo.commit`` pushes to one the way a developer would.
Static files (``/static/<name>``, or a redirect from ``redirects``) are served behind the same
authorization.
"""

from __future__ import annotations

import base64
import os
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import GitRepo, git

_CERT_EXTENSIONS = (
    "basicConstraints=critical,CA:FALSE\n"
    "keyUsage=critical,digitalSignature,keyEncipherment\n"
    "extendedKeyUsage=serverAuth\n"
    "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
)


def require_binaries(*names: str) -> None:
    """Skip when a binary is missing, unless under CI, where a missing binary fails the test."""
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    message = f"{', '.join(missing)} not installed"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must have it)")
    pytest.skip(message)


def git_http_backend() -> Path | None:
    """Where this machine's git keeps ``git-http-backend``."""
    if shutil.which("git") is None:
        return None
    exec_path = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True).stdout.strip()
    backend = Path(exec_path) / "git-http-backend"
    return backend if backend.is_file() else None


@dataclass(frozen=True)
class Certificates:
    """A CA (``ca_file``, what clients trust) and the server's key pair it signed."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def make_certificates(folder: Path) -> Certificates:
    """A fresh CA and a server certificate for 127.0.0.1 and localhost, made with openssl."""
    folder.mkdir(parents=True, exist_ok=True)

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    openssl(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Greenroom Test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "server.ext").write_text(_CERT_EXTENSIONS)
    openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
    )  # fmt: skip
    return Certificates(folder / "ca.pem", folder / "server.pem", folder / "server.key")


# A Component whose docs are built from the repository itself.
DOCUMENTED_REPO = {
    "catalog-info.yaml": (
        "apiVersion: backstage.io/v1alpha1\n"
        "kind: Component\n"
        "metadata:\n"
        "  name: private-service\n"
        "  annotations:\n"
        "    backstage.io/techdocs-ref: dir:.\n"
        "spec:\n"
        "  type: service\n"
        "  lifecycle: production\n"
        "  owner: team-a\n"
    ),
    "mkdocs.yml": "site_name: Private Service\nnav:\n  - Home: index.md\n",
    "docs/index.md": "# Private Service\n\nServed from a private git host.\n",
}


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it; ``authorization`` is the header's value, or None."""

    method: str
    path: str
    authorization: str | None
    status: int


@dataclass
class HostedRepo:
    """A bare repository on the server and the working copy its commits are pushed from."""

    bare: Path
    work: GitRepo
    url: str

    def commit(self, files: dict[str, str | None], message: str = "change") -> str:
        """Commit in the working copy (None deletes a file) and push to the server; the new sha."""
        sha = self.work.commit(files, message)
        git(self.work.path, "push", "-q", str(self.bare), "HEAD:refs/heads/main")
        return sha


@dataclass
class GitHttpsServer:
    """The running server: what it accepts, what it serves, and every request it answered."""

    root: Path
    certificates: Certificates
    basic: set[tuple[str, str]] = field(default_factory=set)
    bearer: set[str] = field(default_factory=set)
    static: dict[str, bytes] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    delays: dict[str, float] = field(default_factory=dict)  # seconds a static file waits before its answer
    seen: list[Seen] = field(default_factory=list)
    port: int = 0

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"https://{self.netloc}/{path.lstrip('/')}"

    def create_repo(self, name: str, files: dict[str, str]) -> HostedRepo:
        """A bare repository ``<name>.git`` with one commit of ``files`` on ``main``."""
        bare = self.root / "repos" / f"{name}.git"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(bare)], check=True)
        repo = HostedRepo(bare, GitRepo(self.root / "work" / name), self.url(f"{name}.git"))
        repo.commit(files, "first")
        return repo

    def accepts(self, header: str | None) -> bool:
        if not header:
            return False
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            return value.strip() in self.bearer
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return (user, password) in self.basic

    def authorizations(self) -> list[str | None]:
        """The Authorization header of every request, in order."""
        return [request.authorization for request in self.seen]


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                handler.rfile.readline()
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def _handler_for(server: GitHttpsServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            authorization = self.headers.get("Authorization")
            body = _read_body(self)
            if not server.accepts(authorization):
                self._send(401, b"authentication required\n", {"WWW-Authenticate": 'Basic realm="greenroom-test"'})
            elif self.path.startswith("/static/"):
                name = urlsplit(self.path).path.removeprefix("/static/")
                content = server.static.get(name)
                time.sleep(server.delays.get(name, 0))
                if name in server.redirects:
                    self._send(302, b"", {"Location": server.redirects[name]})
                else:
                    self._send(200 if content is not None else 404, content or b"not found\n", {})
            else:
                self._cgi(body)

        def _cgi(self, body: bytes) -> None:
            parts = urlsplit(self.path)
            environment = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "GIT_PROJECT_ROOT": str(server.root / "repos"),
                "GIT_HTTP_EXPORT_ALL": "1",
                "GIT_CONFIG_NOSYSTEM": "1",
                "HOME": str(server.root),
                "REQUEST_METHOD": self.command,
                "PATH_INFO": parts.path,
                "QUERY_STRING": parts.query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "CONTENT_LENGTH": str(len(body)),
                "REMOTE_ADDR": self.client_address[0],
                "REMOTE_USER": "greenroom-test",
                "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            }
            result = subprocess.run(["git", "http-backend"], input=body, env=environment, capture_output=True)
            head, _, content = result.stdout.partition(b"\r\n\r\n")
            if not content and b"\n\n" in head:
                head, _, content = result.stdout.partition(b"\n\n")
            status, headers = 200, {}
            for line in head.decode("latin-1").splitlines():
                name, _, value = line.partition(":")
                if name.lower() == "status":
                    status = int(value.strip().split()[0])
                elif name:
                    headers[name.strip()] = value.strip()
            self._send(status, content, headers)

        def _send(self, status: int, content: bytes, headers: dict[str, str]) -> None:
            # Recorded before the answer is written: on a kept-alive connection the client may read
            # the whole answer, and a test look at ``seen``, before this thread runs again.
            server.seen.append(Seen(self.command, self.path, self.headers.get("Authorization"), status))
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        # Keep-alive, as forges serve git: one TLS handshake per git process instead of one per request.
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are separate writes: no 40 ms delayed-ACK stall
        do_GET = do_POST = _answer

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


class _TlsServer(ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The handshake runs in the request's own thread, so a client that fails it stalls nothing.
        try:
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        super().finish_request(wrapped, client_address)


@pytest.fixture(scope="session")
def tls_certificates(tmp_path_factory) -> Certificates:
    require_binaries("openssl", "git")
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def git_https_server(tmp_path, tls_certificates) -> Iterator[Callable[..., GitHttpsServer]]:
    """Start servers (each with its own repositories) that accept the given credentials."""
    if git_http_backend() is None:
        require_binaries("git-http-backend")
    started: list[_TlsServer] = []

    def start(basic: set[tuple[str, str]] | None = None, bearer: set[str] | None = None) -> GitHttpsServer:
        root = tmp_path / f"git-https-{len(started)}"
        (root / "repos").mkdir(parents=True)
        hosted = GitHttpsServer(root, tls_certificates, basic=set(basic or ()), bearer=set(bearer or ()))
        httpd = _TlsServer(("127.0.0.1", 0), _handler_for(hosted))
        httpd.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        httpd.tls.load_cert_chain(tls_certificates.cert_file, tls_certificates.key_file)
        hosted.port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started.append(httpd)
        return hosted

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


PRIVATE_TOKEN = "ghe_private-host-token-8d41e2"


@dataclass
class PrivateHost:
    """A private host the catalog is set up to reach (loopback allowed, the test CA trusted)."""

    server: GitHttpsServer
    repo: HostedRepo
    config_file: Path
    monkeypatch: pytest.MonkeyPatch

    @property
    def location_target(self) -> str:
        return f"{self.repo.url}#main:catalog-info.yaml"

    def configure_integration(self, token: str | None = PRIVATE_TOKEN) -> None:
        """Name the host in ``integrations.github`` of the GREENROOM_CONFIG file (the token from the environment)."""
        from catalog import config

        self.monkeypatch.setenv("PRIVATE_GIT_TOKEN", token or "")
        self.config_file.write_text(
            f"integrations:\n  github:\n    - host: {self.server.netloc}\n"
            + ("      token: ${PRIVATE_GIT_TOKEN}\n" if token else "")
        )
        config.catalog_settings.cache_clear()


def reach(settings: Any, server: GitHttpsServer) -> None:
    """Let the catalog reach ``server``: loopback allowed, its CA trusted (``GREENROOM_CA_BUNDLE``)."""
    settings.CATALOG = {
        **settings.CATALOG,
        "ALLOW_PRIVATE_ADDRESSES": True,
        "GIT_ALLOWED_HOSTS": ["127.0.0.1"],
        "CA_BUNDLE": str(server.certificates.ca_file),
    }


@pytest.fixture
def private_git_host(git_https_server, settings, tmp_path, monkeypatch) -> PrivateHost:
    """``acme/private-service`` (``DOCUMENTED_REPO``) on a host that takes ``PRIVATE_TOKEN`` only.

    Until ``configure_integration`` is called, the GREENROOM_CONFIG file names no integration.
    """
    from catalog import config

    server = git_https_server(basic={("x-access-token", PRIVATE_TOKEN)})
    repo = server.create_repo("acme/private-service", DOCUMENTED_REPO)
    reach(settings, server)
    config_file = tmp_path / "app-config.yaml"
    config_file.write_text("integrations: {}\n")
    settings.GREENROOM_CONFIG_FILE = str(config_file)
    config.catalog_settings.cache_clear()
    return PrivateHost(server, repo, config_file, monkeypatch)
