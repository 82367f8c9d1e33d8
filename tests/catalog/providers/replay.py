"""A replay server on 127.0.0.1 answering with recorded GitHub/GitLab API answers.

It serves ``tests/fixtures/forge_replays/<forge>/routes.json`` (written by ``generate.py`` there) under
an API prefix (``/api/v3``, ``/api/v4``), checks the credential header of every request (a wrong or
missing one gets the forge's own 401 answer) and records what was asked. Tests may change the loaded
answers (``replay.bodies``) to play a later state of the forge.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import yaml

REPLAYS = Path(__file__).resolve().parents[2] / "fixtures" / "forge_replays"
GITHUB_TOKEN = "ghp_replayTOKEN0123456789abcdefABCDEF0123"
GITLAB_TOKEN = "glpat-replayTOKEN-0123456789ab"
_FORGES = {
    # forge → (API prefix, header checked, expected value, 401 body)
    "github": (
        "/api/v3",
        "Authorization",
        f"Bearer {GITHUB_TOKEN}",
        {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"},
    ),
    "gitlab": ("/api/v4", "PRIVATE-TOKEN", GITLAB_TOKEN, {"message": "401 Unauthorized"}),
}


@dataclass
class Replay:
    forge: str
    base: str = ""
    routes: dict[str, dict[str, Any]] = field(default_factory=dict)
    bodies: dict[str, Any] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    overrides: dict[str, tuple[int, dict[str, str], Any]] = field(default_factory=dict)

    def load(self) -> None:
        folder = REPLAYS / self.forge
        self.routes = json.loads((folder / "routes.json").read_text())
        names = {route["body"] for route in self.routes.values()}
        self.bodies = {name: json.loads((folder / name).read_text()) for name in names}

    def answer(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, str], Any]:
        prefix, header, expected, unauthorized = _FORGES[self.forge]
        parts = urlsplit(raw_path)
        if parts.path == "/api/graphql" and method == "POST":
            key = graphql_key(json.loads(body))
        else:
            key = f"{method} {parts.path.removeprefix(prefix)}"
            query = urlencode(sorted(parse_qsl(parts.query)))
            key += f"?{query}" if query else ""
        self.asked.append(key)
        self.headers_seen.append(headers)
        if key in self.overrides:  # a test's own answer, which checks credentials itself if it must
            return self.overrides[key]
        if headers.get(header.lower()) != expected:
            return 401, {}, unauthorized
        route = self.routes.get(key)
        if route is None:
            return 404, {}, {"message": "Not Found"}
        answer_headers = {name: value.replace("{base}", self.base) for name, value in route["headers"].items()}
        return route["status"], answer_headers, self.bodies[route["body"]]

    def app_config(self, tmp_path: Path, *, host: str, token: str | None = None, **extra: Any) -> Path:
        """An app-config whose integration for ``host`` points at this replay, with ``token``."""
        entry = {"host": host, "apiBaseUrl": self.base, **extra}
        if token is not None:
            entry["token"] = token
        path = tmp_path / f"app-config-{self.forge}.yaml"
        path.write_text(yaml.safe_dump({"integrations": {self.forge: [entry]}}))
        return path


def graphql_key(request: dict[str, Any]) -> str:
    """``POST /graphql <operation> <variables as sorted JSON>``, the key generate.py records under."""
    match = re.search(r"query\s+(\w+)", request.get("query") or "")
    operation = match.group(1) if match else "?"
    return f"POST /graphql {operation} {json.dumps(request.get('variables') or {}, sort_keys=True)}"


def _handler(replay: Replay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            headers = {name.lower(): value for name, value in self.headers.items()}
            length = int(self.headers.get("Content-Length") or 0)
            sent = self.rfile.read(length) if length else b""
            status, answer_headers, body = replay.answer(self.command, self.path, headers, sent)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in answer_headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_HEAD = do_POST = _serve

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def serve(forge: str, settings: Any, *, recorded: bool = True) -> Iterator[Replay]:
    """Serve the recorded answers of ``forge`` (or, with ``recorded=False``, none until a test sets
    ``routes`` and ``bodies``)."""
    replay = Replay(forge)
    if recorded:
        replay.load()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(replay))
    replay.base = f"http://127.0.0.1:{server.server_address[1]}{_FORGES[forge][0]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    # Loopback is refused unless allowed: the replay tests say so explicitly.
    settings.CATALOG = {**settings.CATALOG, "ALLOW_PRIVATE_ADDRESSES": True}
    try:
        yield replay
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def github_replay(settings) -> Iterator[Replay]:
    yield from serve("github", settings)


@pytest.fixture
def gitlab_replay(settings) -> Iterator[Replay]:
    yield from serve("gitlab", settings)


def use_config(settings: Any, path: Path) -> None:
    """Point the catalog at the app-config file ``path`` (integrations are read from it)."""
    from catalog.config import catalog_settings

    settings.GREENROOM_CONFIG_FILE = str(path)
    catalog_settings.cache_clear()
