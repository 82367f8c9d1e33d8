"""Draws Greenroom's floors from the code's own imports: ``docs/architecture.dot`` and ``.svg``.

The graph is grimp's, the one import-linter checks in CI. Modules are grouped into the parts
named in ``docs/architecture.md``; an arrow ``A -> B`` means some module of A imports one of B
(the label counts the importing module pairs). Migrations are left out. Run it with
``scripts/architecture-graph`` after a change to the floors; ``--counts`` prints the import counts
between parts instead, and ``tests/portal/test_architecture_graph.py`` fails when the checked-in
picture no longer matches the code.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
APPS = ("portal", "catalog", "scaffolder", "techdocs", "techradar", "soundcheck")
OPTIONAL = ("benchmarks",)
# The parts drawn, most specific first: a module belongs to the first prefix it starts with.
PARTS = (
    "catalog.formats",
    "catalog.services",
    "catalog",
    "portal",
    "scaffolder",
    "techdocs",
    "techradar",
    "soundcheck",
    "benchmarks",
)
FLOORS = {
    "ground floor": ("portal",),
    "catalog": ("catalog.formats", "catalog.services", "catalog"),
    "feature apps": ("scaffolder", "techdocs", "techradar", "soundcheck"),
    "tools": ("benchmarks",),
}


def root_packages() -> list[str]:
    """The apps, plus the optional packages present in this checkout."""
    sys.path.insert(0, str(ROOT))
    return [*APPS, *(name for name in OPTIONAL if importlib.util.find_spec(name) is not None)]


def part_of(module: str) -> str:
    """The drawn part a module belongs to."""
    for part in PARTS:
        if module == part or module.startswith(part + "."):
            return part
    raise ValueError(f"{module} is in no part")


def part_imports() -> Counter[tuple[str, str]]:
    """How many (importer, imported) module pairs join each pair of different parts."""
    graph = grimp.build_graph(*root_packages(), include_external_packages=False)
    counts: Counter[tuple[str, str]] = Counter()
    for importer in graph.modules:
        if ".migrations" in importer:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            if ".migrations" in imported:
                continue
            source, target = part_of(importer), part_of(imported)
            if source != target:
                counts[(source, target)] += 1
    return counts


def to_dot(counts: Counter[tuple[str, str]]) -> str:
    """The Graphviz text of the picture; edges sorted so the file changes only with the code."""
    present = {part for edge in counts for part in edge}
    lines = [
        "// Drawn by scripts/architecture-graph from the code's imports; do not edit by hand.",
        "digraph greenroom {",
        '  rankdir=TB; node [shape=box, style="rounded,filled", fillcolor="#f4f6f8", fontname="sans-serif"];',
        '  edge [color="#5a6b7b", fontname="sans-serif", fontsize=10];',
    ]
    for index, (floor, parts) in enumerate(FLOORS.items()):
        members = [part for part in parts if part in present]
        if not members:
            continue
        lines.append(f'  subgraph cluster_{index} {{ label="{floor}"; style=dashed;')
        lines.extend(f'    "{part}";' for part in members)
        lines.append("  }")
    for (source, target), count in sorted(counts.items()):
        lines.append(f'  "{source}" -> "{target}" [label="{count}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_edges(text: str) -> set[tuple[str, str]]:
    """The arrows of a DOT text written by ``to_dot``, without their counts."""
    edges = set()
    for line in text.splitlines():
        if "->" in line:
            source, _, rest = line.partition("->")
            edges.add((source.strip().strip('"'), rest.split("[")[0].strip().strip('"')))
    return edges


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", action="store_true", help="print import counts between parts and stop")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "architecture.dot")
    options = parser.parse_args(argv)
    counts = part_imports()
    if options.counts:
        for (source, target), count in sorted(counts.items()):
            print(f"{source:18} -> {target:18} {count}")
        return 0
    options.out.write_text(to_dot(counts))
    print(f"wrote {options.out.relative_to(ROOT)}")
    if shutil.which("dot"):
        svg = options.out.with_suffix(".svg")
        subprocess.run(["dot", "-Tsvg", str(options.out), "-o", str(svg)], check=True)
        print(f"wrote {svg.relative_to(ROOT)}")
    else:
        print("Graphviz 'dot' not found: the .svg was not redrawn", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
