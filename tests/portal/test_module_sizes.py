"""No module of the apps or of the benchmarks is over 400 lines (house style; issue 19)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("portal", "catalog", "scaffolder", "techdocs", "techradar", "soundcheck", "benchmarks")
MAX_LINES = 400


def module_sizes() -> dict[str, int]:
    """Lines of every Python module in the packages, migrations and tests aside."""
    sizes = {}
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            parts = path.relative_to(REPO_ROOT).parts
            if "migrations" in parts or "tests" in parts:
                continue
            with path.open(encoding="utf-8") as handle:
                sizes[path.relative_to(REPO_ROOT).as_posix()] = sum(1 for _ in handle)
    return sizes


def test_finds_the_modules_of_every_package():
    sizes = module_sizes()
    for package in PACKAGES:
        assert f"{package}/__init__.py" in sizes


def test_no_module_is_over_400_lines():
    assert {module: lines for module, lines in module_sizes().items() if lines > MAX_LINES} == {}
