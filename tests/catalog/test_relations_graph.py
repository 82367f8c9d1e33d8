"""The Relations tab: an entity's neighbourhood, drawn by Graphviz as inline SVG, or listed."""

from __future__ import annotations

import re
import stat

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from catalog import config, graphviz
from catalog.graph import dot_source, parse_depth, relations_graph
from catalog.lookups.neighbourhood import neighbourhood_of
from catalog.models import Entity
from catalog.tabs import relations_context
from tests.catalog.test_owner_lookup import ORG, api, component

pytestmark = pytest.mark.django_db

SHOP = (
    ORG
    + component("web", consumesApis="[orders-api]", system="shop")
    + component("orders", providesApis="[orders-api]", dependsOn="[resource:orders-db]")
    + api("orders-api")
    + "---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: shop}\nspec: {owner: team-a}\n"
)

# A title and a dangling reference written to break out of DOT's quoting and of the SVG.
HOSTILE = """
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: evil
  title: "\\"]; node [URL=\\"javascript:alert(1)\\"] <script>alert(2)</script> \\\\N\\nnext & 'q'\\\\"
spec:
  type: service
  lifecycle: production
  owner: team-a
  dependsOn:
    - 'component:default/x"]; n9 [URL="javascript:alert(3)"]; n0 -> n9 [label="\\'
"""


@pytest.fixture
def dot_setting(settings):
    """Point the catalog at another ``dot`` (or another timeout) for one test."""

    def use(**values: object) -> None:
        settings.CATALOG = {**settings.CATALOG, **values}
        config.catalog_settings.cache_clear()

    return use


def graph_of(ref: str, depth: int = 1, title: str = "it"):
    return relations_graph(ref, title, depth=depth)


def hrefs(svg: str) -> list[str]:
    return re.findall(r'xlink:href="([^"]*)"', svg)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, (1, None)), ("", (1, None)), ("1", (1, None)), ("2", (2, None)), ("3", (3, None))],
)
def test_depth_accepts_one_to_three(raw, expected):
    assert parse_depth(raw) == expected


@pytest.mark.parametrize("raw", ["0", "4", "-1", "1.5", "two", "99999999999999999999", "1;drop"])
def test_bad_depth_falls_back_to_one_and_says_so(raw):
    assert parse_depth(raw) == (1, "depth must be 1, 2 or 3; showing depth 1.")


def test_depth_one_reaches_direct_relations_in_both_directions(load_catalog):
    load_catalog(SHOP)
    hood = neighbourhood_of("api:default/orders-api", depth=1)
    assert [node.ref for node in hood.nodes] == [
        "api:default/orders-api",
        "component:default/orders",
        "component:default/web",
        "group:default/team-a",
    ]
    assert hood.edges == [
        ("api:default/orders-api", "ownedBy", "group:default/team-a"),
        ("component:default/orders", "providesApi", "api:default/orders-api"),
        ("component:default/web", "consumesApi", "api:default/orders-api"),
    ]
    assert [(item.relation, item.node.ref) for item in hood.tree] == [
        ("apiConsumedBy", "component:default/web"),
        ("apiProvidedBy", "component:default/orders"),
        ("ownedBy", "group:default/team-a"),
    ]
    assert hood.truncated is False


def test_depth_two_reaches_further_and_nests_the_list(load_catalog):
    load_catalog(SHOP)
    hood = neighbourhood_of("api:default/orders-api", depth=2)
    depths = {node.ref: node.depth for node in hood.nodes}
    assert depths["resource:default/orders-db"] == 2 and depths["system:default/shop"] == 2
    provider = next(item for item in hood.tree if item.node.ref == "component:default/orders")
    assert [(item.relation, item.node.ref) for item in provider.children] == [
        ("dependsOn", "resource:default/orders-db"),
    ]


def test_a_row_and_its_mirror_are_one_edge_drawn_forward(load_catalog):
    load_catalog(ORG)
    hood = neighbourhood_of("group:default/platform", depth=1)
    # team-a says parent: platform (childOf) and bob says memberOf; platform lists no children.
    assert ("group:default/team-a", "childOf", "group:default/platform") in hood.edges
    hood = neighbourhood_of("group:default/team-a", depth=1)
    assert ("user:default/alice", "memberOf", "group:default/team-a") in hood.edges  # from team-a's members
    assert ("user:default/bob", "memberOf", "group:default/team-a") in hood.edges
    assert not any(relation in ("hasMember", "parentOf") for _, relation, _ in hood.edges)


def test_dangling_reference_is_a_node_without_a_link(load_catalog):
    load_catalog(ORG + component("web", dependsOn="[component:ghost]"))
    graph = graph_of("component:default/web")
    ghost = next(node for node in graph.neighbourhood.nodes if node.ref == "component:default/ghost")
    assert ghost.in_catalog is False and ghost.title == "ghost"
    assert "/catalog/component/default/ghost/" not in hrefs(graph.svg)


def test_node_cap_truncates_and_says_so(load_catalog):
    load_catalog(ORG + component("core") + "".join(component(f"s{i}", dependsOn="[component:core]") for i in range(8)))
    hood = neighbourhood_of("component:default/core", depth=1, max_nodes=5)
    assert len(hood.nodes) == 5 and hood.truncated is True
    # Rows in code-point order: core's own ownedBy row first, then s0, s1, s2 on their dependsOn.
    assert {node.ref for node in hood.nodes} == {
        "component:default/core",
        "group:default/team-a",
        "component:default/s0",
        "component:default/s1",
        "component:default/s2",
    }
    assert all(source in {n.ref for n in hood.nodes} for source, _, _ in hood.edges)
    entity = Entity.objects.get(ref="component:default/core")
    page = render_to_string(
        "catalog/tabs/relations.html",
        {"data": {"graph": relations_graph(entity.ref, "core", max_nodes=5), "depth": 1, "depths": (1, 2, 3)}},
    )
    assert "Showing the nearest 5 entities only" in page


def neighbourhood_queries(ref: str, depth: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        neighbourhood_of(ref, depth=depth)
    return len(queries)


def test_query_count_is_one_per_level_plus_one_whatever_the_fan_out(load_catalog):
    counts = []
    for size in (3, 30):
        users = "".join(component(f"s{i}", dependsOn="[component:core]") for i in range(size))
        load_catalog(ORG + component("core") + users)
        counts.append([neighbourhood_queries("component:default/core", depth) for depth in (1, 2)])
    assert counts == [[2, 3], [2, 3]]


def test_svg_links_every_neighbour_to_its_page_and_highlights_the_focus(load_catalog):
    load_catalog(SHOP)
    graph = graph_of("api:default/orders-api", title="orders-api")
    assert graph.unavailable is None
    svg = str(graph.svg)
    assert svg.startswith('<svg role="img" aria-labelledby="relations-graph-title relations-graph-desc"')
    assert re.match(r'<svg [^>]* class="relations-graph" style="--graph-width: \d+px" width="\d+pt"', svg)
    assert '<title id="relations-graph-title">Relations of orders-api</title>' in svg
    assert "3 related entities within 1 hop" in svg
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    assert sorted(hrefs(svg)) == [
        "/catalog/api/default/orders-api/",
        "/catalog/component/default/orders/",
        "/catalog/component/default/web/",
        "/catalog/group/default/team-a/",
    ]
    assert svg.count('class="node entity focus"') == 1
    assert ">providesApi</text>" in svg and ">consumesApi</text>" in svg


def test_hostile_title_cannot_inject(load_catalog):
    load_catalog(ORG + HOSTILE)
    entity = Entity.objects.get(ref="component:default/evil")
    svg = str(graph_of(entity.ref, title=entity.display_title).svg)
    # Every link is one of ours, and the graph has exactly its three nodes and two edges.
    assert hrefs(svg) == ["/catalog/component/default/evil/", "/catalog/group/default/team-a/"]
    assert svg.count('<g id="node') == 3 and svg.count('<g id="edge') == 2
    assert not re.search(r'(?i)\surl="', svg) and "<script" not in svg
    # The title is text: quotes and markup escaped, Graphviz's \N (the node's id) left as written.
    assert ">&quot;]; node [URL=&quot;javascript:alert(1)&quot;] &lt;s…</text>" in svg
    assert "&lt;script&gt;alert(2)&lt;/script&gt; \\N\nnext &amp; &#x27;q&#x27;\\</title>" in svg


def test_title_newline_and_backslash_stay_text_in_dot():
    from catalog.lookups.neighbourhood import GraphNode, Neighbourhood

    node = GraphNode("component:default/a", "Component", "default", "a", 'a\\N\n"b"\\', 0, True)
    dot = dot_source(Neighbourhood(node, [node], [], [], 1, 150))
    assert "n0 [label=<a\\\\N &quot;b&quot;\\\\<br/>" in dot


def test_hostile_reference_lands_in_text_only(load_catalog):
    load_catalog(ORG + HOSTILE)
    svg = str(graph_of("component:default/evil").svg)
    # The dangling reference is a label and a tooltip, never attributes of its own.
    assert (
        'xlink:title="component:default/x&quot;]; n9 [url=&quot;javascript:alert(3)&quot;]; '
        'n0 &#45;&gt; n9 [label=&quot;\u29f5">' in svg
    )
    assert ">x&quot;]; n9 [url=&quot;javascript:alert(3)&quot;]; n0…</text>" in svg
    assert not re.search(r"(?i)href=\"javascript", svg)


def test_missing_dot_falls_back_to_the_list(load_catalog, dot_setting):
    load_catalog(SHOP)
    dot_setting(GRAPHVIZ_DOT="/nonexistent/bin/dot")
    entity = Entity.objects.get(ref="api:default/orders-api")
    data = relations_context(RequestFactory().get("/", {"depth": "2"}), entity)
    assert data["graph"].svg is None
    assert "dot program was not found (/nonexistent/bin/dot)" in data["graph"].unavailable
    page = render_to_string("catalog/tabs/relations.html", {"data": data, "entity": entity})
    assert "The relations graph needs Graphviz" in page
    assert '<a href="/catalog/component/default/orders/">orders</a>' in page
    assert '<a href="/catalog/system/default/shop/">shop</a>' in page  # depth 2, nested


def test_failed_drawing_is_not_cached(load_catalog, dot_setting):
    load_catalog(SHOP)
    dot_setting(GRAPHVIZ_DOT="/nonexistent/bin/dot")
    assert graph_of("api:default/orders-api").svg is None
    dot_setting(GRAPHVIZ_DOT="dot")
    assert graph_of("api:default/orders-api").svg is not None


def test_slow_dot_is_stopped_and_falls_back(load_catalog, dot_setting, tmp_path):
    load_catalog(SHOP)
    slow = tmp_path / "slow-dot"
    slow.write_text("#!/bin/sh\nexec sleep 30\n")
    slow.chmod(slow.stat().st_mode | stat.S_IXUSR)
    dot_setting(GRAPHVIZ_DOT=str(slow), GRAPHVIZ_TIMEOUT=0.3)
    graph = graph_of("api:default/orders-api")
    assert graph.svg is None
    assert graph.unavailable == "Graphviz took longer than 0.3 seconds and was stopped."


def test_oversized_drawing_is_refused(load_catalog, monkeypatch):
    load_catalog(SHOP)
    monkeypatch.setattr(graphviz, "MAX_SVG_BYTES", 1024)
    graph = graph_of("api:default/orders-api")
    assert graph.svg is None and graph.unavailable == "The drawing is larger than 1 KiB and was not shown."


def test_failing_dot_falls_back(load_catalog, dot_setting):
    load_catalog(SHOP)
    dot_setting(GRAPHVIZ_DOT="false")
    assert graph_of("api:default/orders-api").unavailable == "Graphviz's dot program failed (exit status 1)."


def test_drawing_is_cached_until_the_catalog_changes(load_catalog, django_capture_on_commit_callbacks):
    load_catalog(SHOP)
    graph_of("api:default/orders-api")
    with CaptureQueriesContext(connection) as queries:
        cached = graph_of("api:default/orders-api")
    assert len(queries) == 0 and cached.svg is not None
    with django_capture_on_commit_callbacks(execute=True):
        load_catalog(SHOP + component("mobile", consumesApis="[orders-api]"))
    assert "/catalog/component/default/mobile/" in hrefs(graph_of("api:default/orders-api").svg)


def test_relations_tab_shows_depth_form_and_refused_depth(load_catalog):
    load_catalog(SHOP)
    entity = Entity.objects.get(ref="api:default/orders-api")
    data = relations_context(RequestFactory().get("/", {"depth": "9"}), entity)
    page = render_to_string("catalog/tabs/relations.html", {"data": data, "entity": entity})
    assert data["depth"] == 1
    assert "The depth must be 1, 2 or 3; showing depth 1." in page
    assert '<label for="relations-depth">Depth</label>' in page
    assert '<option value="1" selected>1 hop</option>' in page and '<option value="3">3 hops</option>' in page
    assert '<figure class="graph-wrap"><svg role="img"' in page


def test_relations_tab_page_draws_the_graph(reader, load_catalog):
    load_catalog(SHOP)
    response = reader.get("/catalog/api/default/orders-api/relations/")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/catalog/api/default/orders-api/relations/" aria-current="page">Relations</a>' in page
    assert '<svg role="img" aria-labelledby="relations-graph-title relations-graph-desc"' in page
    assert 'xlink:href="/catalog/component/default/web/"' in page
    assert '<a href="/catalog/component/default/web/">web</a>' in page  # and in the list


def test_relations_tab_page_refuses_a_bad_depth_clearly(reader, load_catalog):
    load_catalog(SHOP)
    page = reader.get("/catalog/api/default/orders-api/relations/", {"depth": "7"}).content.decode()
    assert "The depth must be 1, 2 or 3; showing depth 1." in page
    assert "resource:default/orders-db" not in page


def test_relations_tab_page_without_dot_is_a_list_not_an_error(reader, load_catalog, dot_setting):
    load_catalog(SHOP)
    dot_setting(GRAPHVIZ_DOT="/nonexistent/bin/dot")
    response = reader.get("/catalog/api/default/orders-api/relations/", {"depth": "2"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "The relations graph needs Graphviz" in page and "<svg" not in page
    assert '<a href="/catalog/system/default/shop/">shop</a>' in page


def test_relations_tab_page_queries_do_not_grow_with_neighbours(reader, load_catalog, django_assert_num_queries):
    from django.core.cache import cache

    for size in (5, 10):
        users = "".join(component(f"s{i}", dependsOn="[component:core]") for i in range(size))
        load_catalog(ORG + component("core") + users)
        cache.clear()
        # Session-less reader: the entity with its relations; its related entities' titles (for the
        # page header); 2 graph levels; the entities the graph reached; on this cold cache, Soundcheck's
        # track filters (they decide whether its tab shows).
        with django_assert_num_queries(6):
            page = reader.get("/catalog/component/default/core/relations/", {"depth": "2"}).content.decode()
        assert page.count('class="node entity') == size + 5  # core, team-a, its two members and its parent
