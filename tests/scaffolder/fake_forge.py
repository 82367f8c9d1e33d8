"""A fake GitHub/GitLab API on 127.0.0.1: records every request and answers from a route table.

Repositories it "creates" are bare git repositories under ``remotes/<owner>/<repo>.git``, the path the
test publishers push to, so a push succeeds only if the API call made the repository first.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

Handler = Callable[[dict[str, Any], "Recorded"], tuple[int, Any]]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeForge:
    remotes: Path
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)

    def route(self, method: str, path: str, status: int = 200, body: Any = None) -> None:
        self.routes[(method, path)] = lambda _body, _request: (status, body)

    def make_bare(self, owner: str, repo: str, *, seed_branch: str | None = None) -> Path:
        path = self.remotes / owner / f"{repo}.git"
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "-q", "--bare", str(path)], check=True)
        if seed_branch:
            seed = self.remotes / f"seed-{owner}-{repo}"
            subprocess.run(["git", "init", "-q", "-b", seed_branch, str(seed)], check=True)
            (seed / "README.md").write_text("# existing\n")
            subprocess.run(["git", "-C", str(seed), "add", "."], check=True)
            subprocess.run(
                ["git", "-C", str(seed), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "seed"],
                check=True,
            )
            subprocess.run(["git", "-C", str(seed), "push", "-q", str(path), f"HEAD:{seed_branch}"], check=True)
        return path

    def paths(self) -> list[str]:
        return [f"{request.method} {request.path}" for request in self.requests]


def _handler_for(forge: FakeForge) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            recorded = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            forge.requests.append(recorded)
            route = forge.routes.get((self.command, self.path.split("?")[0]))
            status, answer = route(body, recorded) if route else (404, {"message": "Not Found"})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def fake_forge(tmp_path, settings) -> Iterator[FakeForge]:
    forge = FakeForge(tmp_path / "remotes")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(forge))
    forge.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # Loopback is refused unless allowed: the tests say so explicitly.
    settings.CATALOG = {**settings.CATALOG, "ALLOW_PRIVATE_ADDRESSES": True}
    yield forge
    server.shutdown()
    server.server_close()
