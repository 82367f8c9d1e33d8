"""Keeping a site's navigation inside its docs source: monorepo includes and page targets.

techdocs-core turns on the monorepo plugin, which reads every nav value written
``!include <path/to/mkdocs.yml>`` (or ``*include <glob>``) as another site to merge in: its
configuration, its ``docs_dir`` and its own includes. Those paths are relative to the including
file, so ``../`` or an absolute path would pull files from anywhere on the server into the site.
Before a build, every include (followed recursively), every included ``docs_dir`` and every nav page
path must resolve, symbolic links followed, inside the docs source; otherwise the build is refused.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

INCLUDE_STATEMENTS = ("!include", "*include")
MAX_INCLUDE_DEPTH = 10
MAX_INCLUDED_FILES = 200
# Aliases let a few lines of YAML stand for millions of nav entries; walking them is bounded.
MAX_NAV_ENTRIES = 20_000


class NavRefused(Exception):
    """A nav entry leaves the docs source; ``str()`` names the file, the entry and the rule."""


def _is_link(value: str) -> bool:
    return "://" in value or value.startswith(("mailto:", "#"))


def confined_path(base: Path, relative: str, root: Path) -> Path | None:
    """``relative`` resolved against ``base``, symbolic links followed; None if it leaves ``root``."""
    if "\x00" in relative or "\\" in relative or relative.startswith("/"):
        return None
    resolved = (base / relative).resolve()
    return resolved if resolved.is_relative_to(root.resolve()) else None


class NavChecker:
    """Walks a configuration's nav and its includes; ``load`` reads an included mkdocs.yml safely."""

    def __init__(self, root: Path, load: Callable[[str], dict[str, Any]]) -> None:
        self.root = root.resolve()
        self.load = load
        self.visited: set[Path] = set()
        self.entries = 0

    def _strings(self, nav: Any, name: Any) -> Iterator[str]:
        self.entries += 1
        if self.entries > MAX_NAV_ENTRIES:
            raise NavRefused(f"{name}: nav has more than {MAX_NAV_ENTRIES} entries, counting those of included sites")
        if isinstance(nav, str):
            yield nav
        elif isinstance(nav, list):
            for item in nav:
                yield from self._strings(item, name)
        elif isinstance(nav, dict):
            for value in nav.values():
                yield from self._strings(value, name)

    def check(self, config: dict[str, Any], config_file: Path, depth: int = 0) -> None:
        """Refuse (``NavRefused``) any include, included ``docs_dir`` or page path that leaves the root."""
        config_file = config_file.resolve()
        name = config_file.relative_to(self.root) if config_file.is_relative_to(self.root) else config_file.name
        for value in self._strings(config.get("nav"), name):
            text = value.strip()
            statement, _, target = text.partition(" ")
            if statement in INCLUDE_STATEMENTS:
                self._include(statement, target.strip(), config_file, f"{name}: nav entry {text!r}", depth)
            elif not _is_link(text):
                normal = posixpath.normpath(text.replace("\\", "/")) if text else text
                if normal.startswith(("/", "../")) or normal == ".." or "\x00" in normal:
                    raise NavRefused(f"{name}: nav entry {value!r} leaves the docs directory")

    def _include(self, statement: str, target: str, config_file: Path, where: str, depth: int) -> None:
        if depth >= MAX_INCLUDE_DEPTH:
            raise NavRefused(f"{where} nests includes deeper than {MAX_INCLUDE_DEPTH} levels")
        base = config_file.parent
        leaves = f"{where} leaves the docs source; includes must stay inside the repository"
        if statement == "*include":
            prefix = posixpath.normpath(target.split("*", 1)[0] or ".")
            if confined_path(base, prefix, self.root) is None:
                raise NavRefused(leaves)
            included = [match.resolve() for match in sorted(base.glob(target))]
        else:
            one = confined_path(base, target, self.root)
            if one is None:
                raise NavRefused(leaves)
            included = [one]
        for path in included:
            if not path.is_relative_to(self.root):
                raise NavRefused(leaves)
            if path in self.visited or not path.is_file():
                continue  # a missing file is the monorepo plugin's own error; a repeat was checked already
            self.visited.add(path)
            if len(self.visited) > MAX_INCLUDED_FILES:
                raise NavRefused(f"{where}: more than {MAX_INCLUDED_FILES} included configurations")
            sub = self.load(path.read_text(encoding="utf-8", errors="replace"))
            docs_dir = sub.get("docs_dir", "docs")
            shown = path.relative_to(self.root)
            if not isinstance(docs_dir, str) or confined_path(path.parent, docs_dir, self.root) is None:
                raise NavRefused(f"{shown}: docs_dir {docs_dir!r} leaves the docs source")
            self.check(sub, path, depth + 1)
