"""The explorer's first view (Components), its pickers with counts, and a sort on every column."""

from __future__ import annotations

import re

import pytest

from catalog.services import refresh_location, register_location, validate_location_spec

pytestmark = pytest.mark.django_db


def table(page: str) -> str:
    return page.split("<tbody>")[1].split("</tbody>")[0]


def options(page: str, name: str) -> list[tuple[str, str, bool]]:
    """``(value, label, selected)`` of the select called ``name``."""
    select = page.split(f'<select name="{name}">')[1].split("</select>")[0]
    return [
        (value, label, " selected" in attributes)
        for value, attributes, label in re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', select)
    ]


def test_explorer_opens_on_components_with_the_kind_picker_counting_every_kind(reader, catalog):
    page = reader.get("/catalog/").content.decode()
    assert "2 entities" in page
    assert "orders-api" not in table(page) and "Web shop" in table(page)
    assert options(page, "kind") == [
        ("", "All", False),
        ("API", "API (1)", False),
        ("Component", "Component (2)", True),
        ("Group", "Group (1)", False),
        ("Location", "Location (1)", False),
    ]


def test_all_kinds_is_an_explicit_choice_and_a_given_kind_still_works(reader, catalog):
    every = reader.get("/catalog/", {"kind": ""}).content.decode()
    assert "5 entities" in every and options(every, "kind")[0] == ("", "All", True)
    apis = reader.get("/catalog/", {"kind": "API"}).content.decode()
    assert "1 entity" in apis and "orders-api" in table(apis)
    assert ("API", "API (1)", True) in options(apis, "kind")


def test_owner_and_tag_are_pickers_with_counts_over_the_other_filters(reader, catalog):
    page = reader.get("/catalog/", {"kind": "Component", "owner": "team-a"}).content.decode()
    assert "1 entity" in page
    # The owner picker still offers team-b: its counts leave out the owner filter itself.
    assert options(page, "owner") == [
        ("", "Any", False),
        ("group:default/team-a", "team-a (1)", True),
        ("group:default/team-b", "team-b (1)", False),
    ]
    # The tag picker counts within team-a's components.
    assert options(page, "tag") == [
        ("", "Any", False),
        ("frontend", "frontend (1)", False),
        ("python", "python (1)", False),
    ]
    tagged = reader.get("/catalog/", {"kind": "Component", "tag": "java"}).content.decode()
    assert "1 entity" in tagged and ("java", "java (1)", True) in options(tagged, "tag")


def test_an_htmx_reload_brings_the_pickers_out_of_band_with_counts_for_the_new_filters(reader, catalog):
    fragment = reader.get("/catalog/", {"kind": "Component", "owner": "team-a"}, HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<tbody>" in html and '<div id="entity-pickers" class="picker-set" hx-swap-oob="true">' in html
    assert ("Component", "Component (1)", True) in options(html, "kind")
    assert ("group:default/team-a", "team-a (1)", True) in options(html, "owner")
    assert [label for _, label, _ in options(html, "tag")] == ["Any", "frontend (1)", "python (1)"]
    # The full page holds the pickers once, in the form, not out of band.
    page = reader.get("/catalog/", {"kind": "Component"}).content.decode()
    assert page.count('id="entity-pickers"') == 1 and "hx-swap-oob" not in page


def test_a_chosen_owner_no_entity_has_still_shows_so_it_can_be_cleared(reader, catalog):
    page = reader.get("/catalog/", {"owner": "team-z"}).content.decode()
    assert "0 entities" in page
    assert ("team-z", "team-z (0)", True) in options(page, "owner")


def test_no_picker_is_free_text_with_a_placeholder(reader, catalog):
    page = reader.get("/catalog/").content.decode()
    assert 'placeholder="team-a"' not in page
    assert '<input type="text" name="owner"' not in page and '<input type="text" name="tag"' not in page


def test_every_column_header_sorts_both_ways_and_keeps_the_filters(reader, catalog):
    page = reader.get("/catalog/", {"lifecycle": "production"}).content.decode()
    headers = re.findall(r'<th scope="col" aria-sort="(\w+)"[^>]*><a class="sort-link" href="([^"]+)">(\w+)', page)
    assert [label for _, _, label in headers] == [
        "Name", "Kind", "System", "Owner", "Type", "Lifecycle", "Description", "Tags",
    ]  # fmt: skip
    assert headers[0][:2] == ("ascending", "?lifecycle=production&amp;sort=-name")
    assert all(state == "none" for state, _, _ in headers[1:])
    sorted_page = reader.get("/catalog/", {"lifecycle": "production", "sort": "owner"}).content.decode()
    owner = re.search(r'aria-sort="(\w+)"[^>]*><a class="sort-link" href="([^"]+)">Owner', sorted_page)
    assert owner.groups() == ("ascending", "?lifecycle=production&amp;sort=-owner")


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("owner", "Web shop"),
        ("-owner", "orders"),
        ("lifecycle", "orders"),
        ("-lifecycle", "Web shop"),
        ("type", "orders"),
        ("-type", "Web shop"),
        # The search document lists web's tags as frontend, python: "frontend" < "java".
        ("tags", "Web shop"),
        ("-tags", "orders"),
        ("system", "orders"),
        ("-system", "Web shop"),
    ],
)
def test_each_sort_orders_the_rows_by_its_column(reader, catalog, sort, first):
    # web: team-a, production, website, tags python; orders: team-b, experimental, service, java.
    # Both are in system shop: the tie goes by id, which differs between runs, except for direction.
    rows = re.findall(
        r'<td><a href="/catalog/component/default/[^"]+/"><bdi>([^<]+)</bdi></a>',
        reader.get("/catalog/", {"sort": sort}).content.decode(),
    )
    if sort.endswith("system"):
        assert sorted(rows) == ["Web shop", "orders"]
    else:
        assert rows[0] == first


def test_an_unknown_sort_falls_back_to_name(reader, catalog):
    response = reader.get("/catalog/", {"sort": "body; DROP TABLE catalog_entity"})
    assert response.status_code == 200


def test_pages_hold_fifty_rows_and_every_sort_covers_every_entity_once(reader, write_file):
    text = "".join(
        f"---\napiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata: {{name: c-{index:03d}, tags: [t{index % 7}], description: d{index % 11}}}\n"
        f"spec: {{type: service, lifecycle: l{index % 3}, owner: team-{index % 5}, system: s{index % 4}}}\n"
        for index in range(120)
    )
    refresh_location(
        register_location(validate_location_spec("file", str(write_file("many.yaml", text))), trusted=True)
    )
    for sort in ("owner", "-description", "tags", "-lifecycle", "system"):
        seen = []
        for number in (1, 2, 3):
            page = reader.get("/catalog/", {"sort": sort, "page": number}).content.decode()
            found = re.findall(r'href="/catalog/component/default/(c-\d+)/"', table(page))
            assert len(found) == (50 if number < 3 else 20)
            seen += found
        assert len(set(seen)) == 120, sort


def test_owners_sort_by_name_however_the_ref_is_written(reader, write_file):
    text = "".join(
        f"---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: {name}}}\n"
        f"spec: {{type: service, lifecycle: production, owner: '{owner}'}}\n"
        for name, owner in (("one", "user:zed"), ("two", "group:default/alpha"), ("three", "default/beta"))
    )
    refresh_location(
        register_location(validate_location_spec("file", str(write_file("refs.yaml", text))), trusted=True)
    )
    page = reader.get("/catalog/", {"sort": "owner"}).content.decode()
    assert re.findall(r'href="/catalog/component/default/(\w+)/"', table(page)) == ["two", "three", "one"]


def test_links_that_filter_list_every_kind_as_before(reader, catalog):
    # Entity pages and other apps link to the explorer with a filter: no kind is added to it.
    page = reader.get("/catalog/", {"owner": "team-b"}).content.decode()
    assert "2 entities" in page and "orders-api" in table(page)
    assert options(page, "kind")[0] == ("", "All", True)
    filtered = reader.get("/catalog/", {"filter": "kind=api"}).content.decode()
    assert "1 entity" in filtered
    # A page or a sort alone is still the bare explorer.
    assert "2 entities" in reader.get("/catalog/", {"sort": "-name", "page": "1"}).content.decode()
