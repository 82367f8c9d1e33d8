"""Entity page URLs are built from any string: quoted when a segment can hold it, empty when none can."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.urls import resolve

from catalog.entity_urls import entity_ref_url, entity_url
from portal.links import reverse_or_empty


@pytest.mark.parametrize("name", ["web", "what?x=1#frag", "100%", "a b", "caf\u00e9", "..", ".", "%2e%2e", "a\\b"])
def test_a_name_one_segment_can_hold_round_trips_through_the_url(name):
    url = entity_url("Component", "default", name)

    match = resolve(unquote(url))
    assert (match.url_name, match.kwargs) == (
        "entity_detail",
        {"kind": "component", "namespace": "default", "name": name},
    )


def test_dot_segments_are_escaped_so_browsers_cannot_collapse_them():
    assert entity_url("group", "..", "..") == "/catalog/group/%2E%2E/%2E%2E/"


@pytest.mark.parametrize(
    "ref", ["group:../../../etc/passwd", "component:default/a/b", "group:", "component:/x", "x", 42, None]
)
def test_a_ref_no_url_can_address_has_no_url(ref):
    assert entity_ref_url(ref) == ""


def test_a_ref_gets_its_tab():
    assert entity_ref_url("Component:team-a/web", "soundcheck") == "/catalog/component/team-a/web/soundcheck/"


def test_reverse_or_empty_keeps_path_converters_whole():
    assert reverse_or_empty("techdocs:asset", "default", "component", "web", "img/a b.png") == (
        "/docs-assets/default/component/web/img/a%20b.png"
    )
    assert reverse_or_empty("no-such-view") == ""
