"""``catalog.formats`` loads and works in an interpreter with no Django settings and no app loaded."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import catalog.formats

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, json, pkgutil, sys
import catalog.formats as formats
names = [m.name for m in pkgutil.walk_packages(formats.__path__, "catalog.formats.")]
for name in names:
    importlib.import_module(name)
from catalog.formats.yaml_reader import parse_documents
from catalog.formats.validation import validate_entity
text = (b"apiVersion: backstage.io/v1alpha1\\nkind: Component\\nmetadata: {name: shop}\\n"
        b"spec: {type: service, lifecycle: production, owner: team-a}\\n")
documents = parse_documents(text, source="catalog-info.yaml")
entity = documents[0].data
assert validate_entity(entity) == [], validate_entity(entity)
outside = sorted(m for m in sys.modules if m.split(".")[0] in {"django", "rest_framework", "celery", "portal"}
                 or (m.startswith("catalog.") and not m.startswith("catalog.formats")))
print(json.dumps({"modules": len(names), "outside": outside, "kind": entity["kind"]}))
"""


def test_every_formats_module_imports_without_django_or_another_floor():
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["outside"] == []
    assert report["kind"] == "Component"
    expected = len(list(pkgutil.walk_packages(catalog.formats.__path__, "catalog.formats.")))
    assert report["modules"] == expected >= 20


def test_an_invalid_descriptor_is_refused_by_the_formats_package_alone():
    probe = (
        "from catalog.formats.validation import validate_entity\n"
        "entity = {'apiVersion': 'backstage.io/v1alpha1', 'kind': 'Component', 'metadata': {'name': 'bad name!'},"
        " 'spec': {'type': 'service', 'lifecycle': 'production', 'owner': 'team-a'}}\n"
        "for error in validate_entity(entity):\n"
        "    print('refused:', error)\n"
    )
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refused:")
    assert "metadata.name" in result.stdout
