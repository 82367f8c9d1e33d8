"""The Create page: template cards, golden paths, search and filters from the URL, query counts."""

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.registry import nav_items
from tests.catalog.conftest import load_catalog_file

from .templates import template

pytestmark = pytest.mark.django_db


def test_create_is_in_the_sidebar():
    assert [(item.label, item.order, item.url) for item in nav_items() if item.label == "Create"] == [
        ("Create", 50, "/create/")
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, template_catalog):
    response = client.get("/create/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_lists_every_template_with_golden_paths_first(signed_in, template_catalog):
    page = signed_in.get("/create/").content.decode()
    assert "9 templates" in page
    titles = [part.split("</bdi></a>")[0].split(">")[-1] for part in page.split('<h3><a href="/create/templates/')[1:]]
    assert titles[:2] == ["&lt;img src=x onerror=alert(1)&gt;Kinds", "Conditional"]
    assert page.count("★ Golden path") == 2


def test_card_shows_owner_type_tags_and_escapes_html(signed_in, template_catalog):
    page = signed_in.get("/create/").content.decode()
    assert '<a href="/catalog/group/default/drivetrain/">drivetrain</a>' in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt; claims" in page
    assert "<img src=x" not in page
    assert '<span class="chip">recommended</span>' in page


def test_text_search_and_filters_come_from_the_url(signed_in, template_catalog):
    assert "1 template match" in signed_in.get("/create/", {"q": "firmware"}).content.decode()
    by_type = signed_in.get("/create/", {"type": "documentation"}).content.decode()
    assert "1 template match" in by_type and "Documentation site" in by_type
    by_tag = signed_in.get("/create/", {"tag": "golden-path"}).content.decode()
    assert "1 template match" in by_tag and "Conditional" in by_tag
    by_owner = signed_in.get("/create/", {"owner": "group:default/team-a"}).content.decode()
    assert "3 templates match" in by_owner


def test_filter_options_list_every_type_tag_and_owner(signed_in, template_catalog):
    page = signed_in.get("/create/", {"type": "service"}).content.decode()
    assert '<option value="documentation">' in page and '<option value="service" selected>' in page
    assert '<option value="group:default/team-a">' in page


def test_htmx_request_gets_only_the_cards(signed_in, template_catalog):
    response = signed_in.get("/create/", {"q": "legacy"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "Legacy generator" in body
    assert "HX-Request" in response["Vary"]


def test_hostile_search_text_matches_nothing_and_is_escaped(signed_in, template_catalog):
    page = signed_in.get("/create/", {"q": "%_<script>" + "x" * 5000}).content.decode()
    assert "No template matches." in page and "<script>x" not in page


def test_query_count_does_not_grow_with_templates(signed_in, write_file):
    counts = []
    for size in (3, 12):
        text = "".join("---\n" + yaml.safe_dump(template({}, name=f"t{size}-{index}")) for index in range(size))
        load_catalog_file(write_file, f"templates-{size}.yaml", text)
        signed_in.get("/create/")
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get("/create/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_query_count_is_pinned(signed_in, template_catalog, django_assert_num_queries):
    signed_in.get("/create/")
    # Session and user, the matching templates, the filter options.
    with django_assert_num_queries(4):
        signed_in.get("/create/", {"tag": "recommended"})
