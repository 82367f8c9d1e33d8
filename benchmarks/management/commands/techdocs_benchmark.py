"""Time the build of a generated docs site (200 pages by default), as the issue's benchmark asks."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand

from techdocs.builder import BuildLimits, run_mkdocs
from techdocs.config import techdocs_settings


def write_site(root: Path, pages: int) -> None:
    """A site of ``pages`` Markdown pages, each with headings, a table, code and links to its neighbours."""
    docs = root / "docs"
    docs.mkdir(parents=True)
    nav = []
    for number in range(pages):
        name = "index" if number == 0 else f"page-{number:04d}"
        following = f"page-{number + 1:04d}.md" if number + 1 < pages else "index.md"
        body = [f"# Page {number}", "", f"Introduction to page {number}. See [the next page]({following}).", ""]
        for section in range(5):
            body += [f"## Section {section}", "", "Lorem ipsum dolor sit amet. " * 20, ""]
            body += ["| a | b |", "| - | - |", f"| {section} | {number} |", ""]
            body += ["```python", f"def f{section}():", f"    return {number}", "```", ""]
        (docs / f"{name}.md").write_text("\n".join(body))
        nav.append(f"  - 'Page {number}': {name}.md")
    (root / "mkdocs.yml").write_text(
        "site_name: Benchmark\nnav:\n" + "\n".join(nav) + "\nplugins:\n  - techdocs-core\n"
    )


class Command(BaseCommand):
    help = "Generate a docs site and time its MkDocs build under the TechDocs limits."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--pages", type=int, default=200)

    def handle(self, *args, pages: int, **options) -> None:
        config = techdocs_settings()
        limits = BuildLimits(
            timeout_seconds=config["BUILD_TIMEOUT"],
            memory_bytes=config["BUILD_MEMORY_BYTES"],
            max_site_bytes=config["MAX_SITE_BYTES"],
            allowed_plugins=list(config["ALLOWED_PLUGINS"]),
        )
        with tempfile.TemporaryDirectory(prefix="greenroom-docs-benchmark-") as scratch:
            source = Path(scratch) / "source"
            write_site(source, pages)
            started = time.perf_counter()
            run_mkdocs(source, Path(scratch) / "site", limits, "Benchmark")
            elapsed = time.perf_counter() - started
            built = sum(1 for _ in (Path(scratch) / "site").rglob("index.html"))
        self.stdout.write(f"built {pages} pages ({built} index.html files) in {elapsed:.2f}s")
