"""The third floor: the feature apps stand on ``portal`` and ``catalog`` and never import each other.

Every module of each feature app is parsed (``ast``, nothing is imported) and each absolute import,
``import_module("...")`` and ``apps.get_model("<app>", ...)`` naming another feature app fails the
test. What one app offers another goes through ``portal.registry`` (Soundcheck's fact collectors,
``facts_outdated``) or a ``portal`` module (``portal.markdown``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FEATURE_APPS = ("scaffolder", "techdocs", "techradar", "soundcheck")
# Calls whose first argument names a module or an app label.
NAMING_CALLS = {"import_module", "__import__", "get_model"}


def _top(name: str) -> str:
    return name.split(".")[0]


def foreign_imports(source: str, app: str) -> list[tuple[int, str]]:
    """``(line, name)`` of every reference in ``source`` to a feature app other than ``app``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if function in NAMING_CALLS and isinstance(node.args[0].value, str):
                names = [node.args[0].value]
        found += [(node.lineno, name) for name in names if _top(name) in FEATURE_APPS and _top(name) != app]
    return found


def test_the_check_sees_every_kind_of_reference():
    source = (
        "import techdocs.models\n"
        "from techradar.hold import hold_entries_for\n"
        "from .collectors import catalog\n"
        "from catalog.models import Entity\n"
        "def f():\n"
        "    from scaffolder import tasks\n"
        "    apps.get_model('techdocs', 'DocSite')\n"
        "    import_module('soundcheck.facts')\n"
    )
    assert foreign_imports(source, "soundcheck") == [
        (1, "techdocs.models"),
        (2, "techradar.hold"),
        (6, "scaffolder"),
        (7, "techdocs"),
    ]


@pytest.mark.parametrize("app", FEATURE_APPS)
def test_feature_apps_do_not_import_each_other(app):
    modules = sorted((ROOT / app).rglob("*.py"))
    assert len(modules) > 10  # the app was found
    offences = [
        f"{module.relative_to(ROOT)}:{line} imports {name}"
        for module in modules
        for line, name in foreign_imports(module.read_text(encoding="utf-8"), app)
    ]
    assert offences == []
