"""``portal/`` is the ground floor: it imports no app (docs/architecture.md, issue 19)."""

from __future__ import annotations

import ast
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"
APPS = ("catalog", "scaffolder", "techdocs", "techradar", "soundcheck")

# Modules still importing an app, with the apps they import. This list may only shrink: each entry
# would be a move issue 19 still owes; nothing new may be added to it.
KNOWN_OFFENDERS: dict[str, set[str]] = {}


def _imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found.update(name.split(".")[0] for name in names if name.split(".")[0] in APPS)
    return found


def _portal_imports() -> dict[str, set[str]]:
    modules = {}
    for path in sorted(PORTAL.rglob("*.py")):
        if "migrations" in path.relative_to(PORTAL).parts:
            continue
        apps = _imported_apps(path)
        if apps:
            modules[path.relative_to(PORTAL.parent).as_posix()] = apps
    return modules


def test_portal_imports_no_app():
    offenders = _portal_imports()
    unexpected = {module: apps for module, apps in offenders.items() if not apps <= KNOWN_OFFENDERS.get(module, set())}
    assert unexpected == {}


def test_known_offenders_still_offend():
    # A module that no longer imports an app leaves the allow-list, so the list only shrinks.
    assert _portal_imports() == KNOWN_OFFENDERS
