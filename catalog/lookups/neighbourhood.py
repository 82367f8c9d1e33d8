"""An entity's neighbourhood in the relation graph, a few hops out, for the Relations tab.

Only forward rows are stored (``relations.py``), so each level asks for rows on either side of
the frontier: one query per level, then one batched query for the reached entities' kinds and
titles. A stored row and its mirror (``childOf`` and ``parentOf`` between the same two groups)
are one edge, drawn in the forward direction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from ..formats.refs import InvalidEntityRef, parse_entity_ref
from ..formats.relations import FORWARD_RELATIONS, RELATION_PAIRS
from ..models import Entity, Relation

MAX_NODES = 150


@dataclass(frozen=True)
class GraphNode:
    """An entity reached at ``depth`` hops; ``in_catalog`` is false for a dangling reference."""

    ref: str
    kind: str
    namespace: str
    name: str
    title: str
    depth: int
    in_catalog: bool


@dataclass
class TreeItem:
    """A node as a nested list shows it: reached from its parent along ``relation``."""

    node: GraphNode
    relation: str
    children: list[TreeItem] = field(default_factory=list)


@dataclass
class Neighbourhood:
    focus: GraphNode
    nodes: list[GraphNode]
    edges: list[tuple[str, str, str]]
    tree: list[TreeItem]
    depth: int
    max_nodes: int
    truncated: bool = False


def neighbourhood_of(ref: str, *, depth: int = 1, max_nodes: int = MAX_NODES) -> Neighbourhood:
    """Entities within ``depth`` hops of ``ref`` along any relation, nearest first.

    At most ``max_nodes`` entities (``ref`` included); past that, ``truncated`` is set and the
    rest are left out with their edges. Rows are taken in code-point order, so the same catalog
    always gives the same graph.
    """
    depths = {ref: 0}
    parents: dict[str, tuple[str, str]] = {}
    edges: set[tuple[str, str, str]] = set()
    truncated = False
    frontier = [ref]
    for level in range(1, depth + 1):
        in_frontier = set(frontier)
        rows = Relation.objects.filter(Q(source_ref__any=frontier) | Q(target_ref__any=frontier))
        next_frontier: list[str] = []
        for source, relation, target in sorted(set(rows.values_list("source_ref", "type", "target_ref"))):
            for origin, reached, read_as in (
                (source, target, relation),
                (target, source, RELATION_PAIRS.get(relation, relation)),
            ):
                if origin not in in_frontier:
                    continue
                if reached not in depths:
                    if len(depths) >= max_nodes:
                        truncated = True
                        continue
                    depths[reached] = level
                    parents[reached] = (origin, read_as)
                    next_frontier.append(reached)
                edges.add(_forward(source, relation, target))
        if not next_frontier:
            break
        frontier = next_frontier
    nodes = _load_nodes(depths)
    return Neighbourhood(
        focus=nodes[ref],
        nodes=sorted(nodes.values(), key=lambda node: (node.depth, node.ref)),
        edges=sorted(edges),
        tree=_tree(ref, nodes, parents),
        depth=depth,
        max_nodes=max_nodes,
        truncated=truncated,
    )


def _forward(source: str, relation: str, target: str) -> tuple[str, str, str]:
    if relation in FORWARD_RELATIONS or relation not in RELATION_PAIRS:
        return source, relation, target
    return target, RELATION_PAIRS[relation], source


def _load_nodes(depths: dict[str, int]) -> dict[str, GraphNode]:
    rows = Entity.objects.filter(ref__any=list(depths)).values_list("ref", "kind", "namespace", "name", "title")
    nodes = {
        ref: GraphNode(ref, kind, namespace, name, title or name, depths[ref], True)
        for ref, kind, namespace, name, title in rows
    }
    for ref, depth in depths.items():
        if ref not in nodes:
            nodes[ref] = _dangling(ref, depth)
    return nodes


def _dangling(ref: str, depth: int) -> GraphNode:
    """A node for a reference to nothing in the catalog, named from the reference itself."""
    try:
        parsed = parse_entity_ref(ref)
    except InvalidEntityRef:
        return GraphNode(ref, "", "", ref, ref, depth, False)
    return GraphNode(ref, parsed.kind, parsed.namespace, parsed.name, parsed.name, depth, False)


def _tree(ref: str, nodes: dict[str, GraphNode], parents: dict[str, tuple[str, str]]) -> list[TreeItem]:
    items = {child: TreeItem(nodes[child], relation) for child, (_, relation) in parents.items()}
    roots: list[TreeItem] = []
    for child, (parent, _) in parents.items():
        (roots if parent == ref else items[parent].children).append(items[child])
    for item in [*items.values(), None]:
        siblings = item.children if item else roots
        siblings.sort(key=lambda entry: (entry.relation, entry.node.title.lower(), entry.node.ref))
    return roots
