"""Template bodies for scaffolder tests: the conformance corpus and small hand-written ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "backstage-templates"
CONFORMANCE_FILES = sorted(path.relative_to(CORPUS).as_posix() for path in CORPUS.rglob("template.yaml"))


def conformance_template(relative: str) -> dict[str, Any]:
    return yaml.safe_load((CORPUS / relative).read_text())


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
