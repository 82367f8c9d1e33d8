"""The locked dependency set covers pyproject.toml, carries hashes, and agrees with itself."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([a-z0-9][a-z0-9._-]*)==([^ \\;]+)", re.M)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    return {normalise(name): pinned for name, pinned in PIN.findall(path.read_text())}


def declared(requirements: list[str]) -> set[str]:
    return {normalise(re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]) for requirement in requirements}


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME = pins(ROOT / "requirements" / "runtime.txt")
DEV = pins(ROOT / "requirements" / "dev.txt")


def test_every_runtime_dependency_is_locked():
    assert declared(PROJECT["dependencies"]) - set(RUNTIME) == set()


def test_every_dev_dependency_and_the_build_backend_are_locked():
    assert declared(PROJECT["optional-dependencies"]["dev"]) - set(DEV) == set()
    assert "setuptools" in DEV


def test_runtime_and_dev_locks_pin_shared_packages_alike():
    assert {name: RUNTIME[name] for name in RUNTIME} == {name: DEV[name] for name in RUNTIME}


def test_every_pin_carries_a_hash():
    for lock in ("runtime.txt", "dev.txt"):
        blocks = re.split(r"\n(?=[a-z0-9])", (ROOT / "requirements" / lock).read_text())
        unhashed = [block.split()[0] for block in blocks if PIN.match(block) and "--hash=sha256:" not in block]
        assert unhashed == [], f"{lock}: {unhashed}"


def test_the_installed_versions_are_the_locked_ones():
    for name in ("django", "pyyaml", "celery", "psycopg", "jinja2"):
        assert version(name) == DEV[name], name
