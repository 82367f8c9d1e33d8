"""Template bodies for scaffolder tests: the in-repo templates, Backstage's when present, small hand-written ones.

``tests/fixtures/templates/`` holds software templates written for the project; Backstage's own
(``../shared/conformance/backstage-templates/``) join every test that runs over all templates when they
are there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.corpus import FIXTURES, HAS_SHARED, REPO_ROOT, SHARED_CONFORMANCE

TEMPLATES = FIXTURES / "templates"
SHARED_TEMPLATES = SHARED_CONFORMANCE / "backstage-templates"
OWN_TEMPLATE_FILES = sorted(TEMPLATES.rglob("template.yaml"))
# The embedded demo's golden paths (catalog/demo/templates/) join the tests over every template.
DEMO_TEMPLATE_FILES = sorted((REPO_ROOT / "catalog" / "demo" / "templates").glob("*/template.yaml"))
SHARED_TEMPLATE_FILES = sorted(SHARED_TEMPLATES.rglob("template.yaml")) if HAS_SHARED else []
# One parameter per template file: the in-repo ones, the demo's, then Backstage's (marked) when present.
TEMPLATE_FILES = (
    [pytest.param(path, id=f"fixtures:{path.parent.name}") for path in OWN_TEMPLATE_FILES]
    + [pytest.param(path, id=f"demo:{path.parent.name}") for path in DEMO_TEMPLATE_FILES]
    + [
        pytest.param(path, id=f"shared:{path.parent.name}", marks=pytest.mark.shared_corpus)
        for path in SHARED_TEMPLATE_FILES
    ]
)


def read_template(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def own_template(name: str) -> dict[str, Any]:
    """The body of ``tests/fixtures/templates/<name>/template.yaml``."""
    return read_template(TEMPLATES / name / "template.yaml")


def template(parameters: Any, name: str = "demo", **metadata: Any) -> dict[str, Any]:
    """A minimal Template body around ``parameters``."""
    return {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": name, **metadata},
        "spec": {"owner": "group:default/team-a", "type": "service", "parameters": parameters, "steps": []},
    }


CONDITIONAL_PAGE = {
    "title": "Database",
    "required": ["database"],
    "properties": {
        "name": {"title": "Name", "type": "string"},
        "database": {"title": "Database", "type": "string", "enum": ["none", "postgres"], "default": "none"},
    },
    "dependencies": {
        "database": {
            "oneOf": [
                {"properties": {"database": {"enum": ["none"]}}},
                {
                    "properties": {
                        "database": {"enum": ["postgres"]},
                        "dbSize": {"title": "Size (GB)", "type": "integer", "minimum": 1, "maximum": 100},
                        "dbPassword": {"title": "Password", "type": "string", "ui:widget": "password"},
                    },
                    "required": ["dbSize"],
                },
            ]
        }
    },
}
