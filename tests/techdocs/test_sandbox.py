"""The MkDocs child process runs without network access where ``unshare`` can make a namespace."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from techdocs import sandbox
from techdocs.builder import BuildFailed, BuildLimits, run_mkdocs

needs_unshare = pytest.mark.skipif(not sandbox.sandbox_available(), reason="unshare cannot make a network namespace")


@pytest.fixture
def asset_server() -> Iterator[tuple[int, list[str]]]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(b"png")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], hits
    server.shutdown()
    server.server_close()


def fetching_site(root: Path, port: int) -> Path:
    """A site whose configuration enables a plugin that downloads the external images a page uses."""
    source = root / "source"
    (source / "docs").mkdir(parents=True)
    (source / "mkdocs.yml").write_text(
        "site_name: Fetcher\nsite_url: https://docs.example/\nplugins:\n  - techdocs-core\n  - material/privacy\n"
    )
    (source / "docs" / "index.md").write_text(f"# Hello\n\n![logo](http://127.0.0.1:{port}/logo.png)\n")
    return source


def limits(mode: str) -> BuildLimits:
    return BuildLimits(120, 2 * 1024**3, 50 * 1024**2, ["techdocs-core", "search", "material/privacy"], mode)


@needs_unshare
def test_a_build_that_fetches_a_url_reaches_nothing_in_the_sandbox(tmp_path, asset_server):
    port, hits = asset_server
    with pytest.raises(BuildFailed) as failure:
        run_mkdocs(fetching_site(tmp_path, port), tmp_path / "site", limits("auto"), "Fetcher")
    assert hits == []
    assert "greenroom: building without network access" in failure.value.log


@needs_unshare
def test_the_same_build_without_the_sandbox_does_fetch(tmp_path, asset_server):
    port, hits = asset_server
    output = run_mkdocs(fetching_site(tmp_path, port), tmp_path / "site", limits("off"), "Fetcher")
    assert hits == ["/logo.png"]  # the control case: the test above would notice a leak
    assert "network isolation is off" in output.log


@needs_unshare
def test_an_ordinary_build_succeeds_in_the_sandbox(tmp_path):
    source = tmp_path / "source"
    (source / "docs").mkdir(parents=True)
    (source / "docs" / "index.md").write_text("# Offline\n")
    output = run_mkdocs(source, tmp_path / "site", limits("required"), "Offline")
    assert (tmp_path / "site" / "index.html").is_file()
    assert "greenroom: building without network access" in output.log


def test_required_sandbox_fails_the_build_where_unshare_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "sandbox_available", lambda: False)
    source = tmp_path / "source"
    (source / "docs").mkdir(parents=True)
    (source / "docs" / "index.md").write_text("# Offline\n")
    with pytest.raises(BuildFailed, match="needs a network sandbox"):
        run_mkdocs(source, tmp_path / "site", limits("required"), "Offline")
    assert not (tmp_path / "site").exists()
    output = run_mkdocs(source, tmp_path / "site", limits("auto"), "Offline")
    assert "network isolation is not available here" in output.log
