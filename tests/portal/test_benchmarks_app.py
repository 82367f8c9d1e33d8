"""Benchmark code lives in ``benchmarks/``, beside the apps, out of the installed package (issue 19)."""

from __future__ import annotations

import fnmatch
import os
import subprocess
import sys
import tomllib
from pathlib import Path

from django.core.management import get_commands

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMANDS = (
    "catalog_benchmark",
    "search_benchmark",
    "load_test",
    "scaffolder_benchmark",
    "techdocs_benchmark",
    "soundcheck_benchmark",
)


def test_benchmark_commands_come_from_the_benchmarks_app():
    commands = get_commands()
    assert {name: commands.get(name) for name in COMMANDS} == dict.fromkeys(COMMANDS, "benchmarks")


def test_the_installed_package_leaves_benchmarks_out():
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    for package in ("benchmarks", "benchmarks.catalog", "benchmarks.management.commands"):
        assert not any(fnmatch.fnmatchcase(package, pattern) for pattern in patterns), package
    assert "portal" in patterns[0]


def test_settings_add_benchmarks_only_when_the_checkout_provides_them(tmp_path):
    # Outside the checkout only the installed package is importable: no benchmarks app, no commands.
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.core.management import get_commands; "
        "print('benchmarks' in settings.INSTALLED_APPS, 'catalog_benchmark' in get_commands())"
    )
    environment = {
        key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")
    }
    environment |= {"DJANGO_SETTINGS_MODULE": "portal.settings", "GREENROOM_DATA_DIR": str(tmp_path / "data")}
    outside = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120
    )
    inside = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=120
    )

    assert (outside.stdout.strip(), inside.stdout.strip()) == ("False False", "True True"), (
        outside.stderr + inside.stderr
    )
