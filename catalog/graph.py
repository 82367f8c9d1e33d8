"""The Relations tab's graph: an entity's neighbourhood written as DOT and drawn by Graphviz.

Entity names, titles and references are hostile input, so none of them is ever written into DOT
unescaped: nodes get synthetic ids (``n0``, ``n1``), labels are Graphviz HTML labels with every
character escaped, and quoted strings (tooltips, URLs) carry no backslash or bare quote.
Drawings are cached per entity, depth and catalog version; a failed drawing is not cached, and
the tab shows the same relations as a list instead.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from .cache import catalog_version
from .entity_urls import entity_url
from .graphviz import GraphvizError, render_svg
from .lookups.neighbourhood import MAX_NODES, GraphNode, Neighbourhood, neighbourhood_of

GRAPH_DEPTHS = (1, 2, 3)
DEFAULT_DEPTH = 1
GRAPH_CACHE_SECONDS = 3600
MAX_LABEL_CHARS = 40

# Light-theme colours from greenroom.css's tokens; the stylesheet repaints them in dark mode.
COLOURS = {
    "surface": "#ffffff",
    "text": "#1b2330",
    "muted": "#5b6576",
    "border": "#dde1e7",
    "accent": "#17663a",
    "accent_text": "#ffffff",
}
FONT = "Helvetica,Arial,sans-serif"


@dataclass
class RelationsGraph:
    """What the Relations tab shows: the neighbourhood, and its drawing or why there is none."""

    neighbourhood: Neighbourhood
    svg: SafeString | None
    unavailable: str | None


def parse_depth(raw: str | None) -> tuple[int, str | None]:
    """The ``depth`` query parameter as a number of hops, with a message when it was refused."""
    if raw is None or raw == "":
        return DEFAULT_DEPTH, None
    allowed = ", ".join(str(depth) for depth in GRAPH_DEPTHS[:-1]) + f" or {GRAPH_DEPTHS[-1]}"
    if raw.strip().isdigit() and int(raw) in GRAPH_DEPTHS:
        return int(raw), None
    return DEFAULT_DEPTH, f"depth must be {allowed}; showing depth {DEFAULT_DEPTH}."


def relations_graph(ref: str, title: str, *, depth: int = DEFAULT_DEPTH, max_nodes: int = MAX_NODES) -> RelationsGraph:
    """The neighbourhood of ``ref`` within ``depth`` hops and its SVG drawing (cached)."""
    digest = hashlib.sha1(ref.encode()).hexdigest()
    key = f"catalog:relations-graph:{catalog_version()}:{depth}:{max_nodes}:{digest}"
    cached = cache.get(key)
    if cached is not None:
        neighbourhood, svg = cached
        return RelationsGraph(neighbourhood, mark_safe(svg), None)
    neighbourhood = neighbourhood_of(ref, depth=depth, max_nodes=max_nodes)
    try:
        svg = draw(neighbourhood, title)
    except GraphvizError as error:
        return RelationsGraph(neighbourhood, None, str(error))
    cache.set(key, (neighbourhood, str(svg)), GRAPH_CACHE_SECONDS)
    return RelationsGraph(neighbourhood, svg, None)


def draw(neighbourhood: Neighbourhood, title: str) -> SafeString:
    """The neighbourhood as inline SVG with an accessible name and description.

    Safe to inline: Graphviz writes the SVG from DOT whose every piece of data was escaped here,
    escapes text itself, and ``render_svg`` refuses any link that does not stay on this site.
    """
    svg = render_svg(dot_source(neighbourhood))
    count = len(neighbourhood.nodes) - 1
    description = (
        f"{count} related entit{'y' if count == 1 else 'ies'} within {neighbourhood.depth} "
        f"hop{'s' if neighbourhood.depth > 1 else ''}; the same relations are listed below the graph."
    )
    attributes = svg[len("<svg") :].split(">", 1)[0]
    # The drawing's natural width in CSS pixels: the stylesheet shrinks it to fit, but not so far
    # that labels become unreadable (it scrolls instead).
    points = re.search(r'width="([0-9.]+)pt"', attributes)
    width = f' style="--graph-width: {round(float(points[1]) * 4 / 3)}px"' if points else ""
    head = (
        '<svg role="img" aria-labelledby="relations-graph-title relations-graph-desc" class="relations-graph"'
        f"{width}{attributes}>"
        f'<title id="relations-graph-title">Relations of {html.escape(title)}</title>'
        f'<desc id="relations-graph-desc">{html.escape(description)}</desc>'
    )
    return mark_safe(head + svg.split(">", 1)[1])


def dot_source(neighbourhood: Neighbourhood) -> str:
    """The neighbourhood in Graphviz's DOT language: left to right, rounded boxes, links."""
    ids = {node.ref: f"n{index}" for index, node in enumerate(neighbourhood.nodes)}
    lines = [
        "digraph relations {",
        f'  graph [rankdir=LR, bgcolor="transparent", nodesep=0.25, ranksep=0.9, pad=0.1, fontname="{FONT}"];',
        f'  node [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=12, margin="0.2,0.1", '
        f'penwidth=1.2, color="{COLOURS["border"]}", fillcolor="{COLOURS["surface"]}", '
        f'fontcolor="{COLOURS["text"]}"];',
        f'  edge [fontname="{FONT}", fontsize=9, color="{COLOURS["muted"]}", fontcolor="{COLOURS["muted"]}", '
        "arrowsize=0.6, penwidth=1];",
    ]
    for node in neighbourhood.nodes:
        lines.append(f"  {ids[node.ref]} [{_node_attributes(node, node.ref == neighbourhood.focus.ref)}];")
    for source, relation, target in neighbourhood.edges:
        lines.append(
            f"  {ids[source]} -> {ids[target]} [label=<{_html_text(relation)}>, "
            f'tooltip="{_quoted(f"{source} {relation} {target}")}", class="relation"];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node_attributes(node: GraphNode, is_focus: bool) -> str:
    name = _shorten(node.title)
    kind = node.kind.lower() if node.namespace in ("default", "") else f"{node.kind.lower()} · {node.namespace}"
    attributes = [
        f'label=<{_html_text(name)}<br/><font point-size="9">{_html_text(kind)}</font>>',
        f'tooltip="{_quoted(node.ref)}"',
    ]
    classes = ["entity"]
    if node.in_catalog:
        url = entity_url(node.kind, node.namespace, node.name)
        if url:
            attributes.append(f'URL="{_safe_url(url)}"')
    else:
        classes.append("missing")
        attributes.append('style="rounded,dashed"')
    if is_focus:
        classes.append("focus")
        attributes.append(
            f'fillcolor="{COLOURS["accent"]}", color="{COLOURS["accent"]}", fontcolor="{COLOURS["accent_text"]}"'
        )
    attributes.append(f'class="{" ".join(classes)}"')
    return ", ".join(attributes)


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


def _printable(text: str) -> str:
    """``text`` with control characters (newlines, NUL, escape codes) turned into spaces."""
    return "".join(" " if unicodedata.category(char) in ("Cc", "Cs") else char for char in text)


def _html_text(text: str) -> str:
    """Text for a Graphviz HTML label: entity-escaped, and backslashes doubled so that Graphviz's
    own escapes (``\\N`` is the node's id) read them as plain backslashes."""
    return html.escape(_printable(text), quote=True).replace("\\", "\\\\")


def _quoted(text: str) -> str:
    """Text for inside a DOT quoted string. Graphviz reads backslash escapes there in ways that
    vary by attribute, so a backslash is shown as the look-alike U+29F5 instead."""
    return _printable(text).replace("\\", "\u29f5").replace('"', '\\"')


def _safe_url(url: str) -> str:
    """``url`` with everything but unreserved characters, ``/`` and escapes percent-encoded:
    Graphviz 2.43 copies URLs into ``xlink:href`` without escaping quotes."""
    return quote(url, safe="/%-._~")
