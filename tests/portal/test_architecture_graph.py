"""The picture in docs/architecture.md is drawn from the code: it must match today's imports."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_graph_script():
    spec = importlib.util.spec_from_file_location("architecture_graph", ROOT / "scripts" / "architecture_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_checked_in_picture_has_exactly_the_arrows_of_the_code():
    script = load_graph_script()
    drawn = script.dot_edges((ROOT / "docs" / "architecture.dot").read_text())
    actual = set(script.part_imports())
    assert drawn == actual, (
        "docs/architecture.dot is out of date; run scripts/architecture-graph. "
        f"missing: {sorted(actual - drawn)}, gone: {sorted(drawn - actual)}"
    )
    assert (ROOT / "docs" / "architecture.svg").stat().st_size > 1000


def test_the_arrows_point_down_the_floors_only():
    counts = load_graph_script().part_imports()
    features = {"scaffolder", "techdocs", "techradar", "soundcheck"}
    assert not [edge for edge in counts if edge[0] == "portal"]
    assert not [edge for edge in counts if edge[0] == "catalog.formats"]
    assert not [edge for edge in counts if edge[0] in features and edge[1] in features]
    assert not [edge for edge in counts if edge[0].startswith("catalog") and edge[1] in features]


def test_dot_edges_reads_what_to_dot_writes():
    script = load_graph_script()
    counts = {("catalog", "portal"): 3, ("soundcheck", "catalog.formats"): 1}
    assert script.dot_edges(script.to_dot(counts)) == set(counts)
