"""The radar pages: table, entry page with its users, what moved, and the platform-admin editor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.services import refresh_location, register_location, validate_location_spec
from portal.models import AuditEvent
from techradar.format import validate_radar
from techradar.models import RadarEntry, Ring, TimelineItem
from techradar.services import import_radar, move_entry
from tests.techradar.conftest import radar_document

pytestmark = pytest.mark.django_db

CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: old-ci, tags: [friday-deploys]}
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: shop
  annotations: {greenroom.io/tech-radar: "friday-deploys, zephyr"}
spec: {type: website, lifecycle: production, owner: team-b}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: clean, tags: [htmx]}
spec: {type: service, lifecycle: production, owner: team-a}
"""


@pytest.fixture
def catalog(write_file):
    location = register_location(validate_location_spec("file", str(write_file("catalog.yaml", CATALOG))), trusted=True)
    refresh_location(location)


def test_pages_need_sign_in_unless_anonymous_read(client, sample_radar):
    assert client.get("/tech-radar/default/").status_code == 302


def test_index_opens_the_default_radar(reader, sample_radar):
    assert reader.get("/tech-radar/")["Location"] == "/tech-radar/default/"


def test_index_without_radars_says_so(reader):
    assert "No radar yet" in reader.get("/tech-radar/").content.decode()


def test_sidebar_has_the_tech_radar(reader, sample_radar):
    page = reader.get("/tech-radar/default/").content.decode()
    assert '<a href="/tech-radar/" aria-current="page">Tech Radar</a>' in page


def test_table_lists_entries_with_ring_and_filters(reader, sample_radar):
    page = reader.get("/tech-radar/default/table/", {"ring": "hold"}).content.decode()
    body = page[page.index("<tbody>") :]
    assert "Deploying on Friday afternoons" in body and "Rust" not in body
    link = '<a href="/tech-radar/default/entries/friday-deploys/">Deploying on Friday afternoons</a>'
    assert f'<th scope="row">{link}</th>' in body


def test_unknown_filter_values_are_ignored(reader, sample_radar):
    assert reader.get("/tech-radar/default/table/", {"ring": "<x>"}).content.decode().count("<tr>") == 10


def test_entry_page_renders_sanitised_markdown_timeline_and_links(reader, sample_radar):
    entry = RadarEntry.objects.get(key="rust")
    entry.description = "**bold** <script>alert(1)</script> [x](javascript:alert(1))"
    entry.links = [*entry.links, {"url": "javascript:alert(1)", "title": "Bad"}]
    entry.save()
    page = reader.get("/tech-radar/default/entries/rust/").content.decode()
    assert "<strong>bold</strong>" in page
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page
    assert '<a href="https://www.rust-lang.org/" rel="noopener noreferrer">Learn more</a>' in page
    assert "Every motor controller shipped" in page


def test_entry_page_lists_users_with_owners_by_tag_and_annotation(reader, sample_radar, catalog):
    page = reader.get("/tech-radar/default/entries/friday-deploys/").content.decode()
    assert "Migration backlog" in page and "2 entities use it" in page
    assert '<a href="/catalog/component/default/old-ci/">old-ci</a>' in page
    assert '<a href="/catalog/group/default/team-a/">team-a</a>' in page
    assert '<a href="/catalog/component/default/shop/">shop</a>' in page and "team-b" in page
    assert "clean" not in page.split("Migration backlog")[1]


def test_entry_page_query_count_does_not_grow_with_users(reader, sample_radar, write_file, django_assert_num_queries):
    def components(count: int, prefix: str) -> str:
        return "---\n".join(
            f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: {prefix}-{index}, tags: [htmx]}}\n"
            f"spec: {{type: service, lifecycle: production, owner: team-a}}\n"
            for index in range(count)
        )

    counts = []
    for size, prefix in ((3, "a"), (9, "b")):
        refresh_location(
            register_location(
                validate_location_spec("file", str(write_file(f"{prefix}.yaml", components(size, prefix)))),
                trusted=True,
            )
        )
        with CaptureQueriesContext(connection) as queries:
            page = reader.get("/tech-radar/default/entries/htmx/").content.decode()
        assert f"{prefix}-{size - 1}" in page
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8


@pytest.mark.parametrize("size", [20, 40])
def test_radar_and_table_query_counts_are_fixed(reader, size, django_assert_num_queries):
    import_radar(validate_radar(radar_document(size)), "default")
    # Radar, quadrants, rings, entries, timelines, other radars.
    with django_assert_num_queries(6):
        assert reader.get("/tech-radar/default/").content.decode().count('class="blip"') == size
    with django_assert_num_queries(5):
        assert reader.get("/tech-radar/default/table/").content.decode().count("<tr>") == size + 1


def test_what_moved_lists_ring_changes_in_the_period(reader, sample_radar):
    entry = RadarEntry.objects.get(key="ride-along-debugging")
    move_entry(entry, Ring.objects.get(key="trial"), "Two teams liked it", date=datetime(2024, 5, 2, tzinfo=UTC))
    page = reader.get("/tech-radar/default/moved/", {"since": "2024-05-01", "until": "2024-05-31"}).content.decode()
    assert "1 change from 1 May 2024 to 31 May 2024" in page
    assert "ASSESS → TRIAL (moved in)" in page and "Two teams liked it" in page
    page = reader.get("/tech-radar/default/moved/", {"since": "2024-01-01", "until": "2024-01-31"}).content.decode()
    assert "1 change from" in page and "Forgejo Actions" in page and "TRIAL (new)" in page


def test_what_moved_refuses_a_reversed_period(reader, sample_radar):
    page = reader.get("/tech-radar/default/moved/", {"since": "2024-06-01", "until": "2024-05-01"}).content.decode()
    assert "start comes after its end" in page


# --- Editor -------------------------------------------------------------------------------------


def test_editor_is_for_platform_admins_only(member_client, sample_radar):
    assert Client().get("/tech-radar/default/add/").status_code == 302
    assert member_client.get("/tech-radar/default/add/").status_code == 403
    response = member_client.post("/tech-radar/default/entries/htmx/move/", {"ring": "x", "reason": "no"})
    assert response.status_code == 403
    assert member_client.post("/tech-radar/default/entries/htmx/edit/", {"title": "Hacked"}).status_code == 403
    assert RadarEntry.objects.get(key="htmx").title == "htmx" and TimelineItem.objects.count() == 10


def test_members_see_no_edit_buttons(member_client, sample_radar):
    assert "Add entry" not in member_client.get("/tech-radar/default/").content.decode()
    assert "Edit or move" not in member_client.get("/tech-radar/default/entries/htmx/").content.decode()


def test_admin_creates_an_entry_with_a_first_timeline_item(admin_client, sample_radar):
    quadrant = sample_radar.quadrants.get(key="languages")
    ring = sample_radar.rings.get(key="assess")
    response = admin_client.post(
        "/tech-radar/default/add/",
        {
            "key": "zig",
            "title": "Zig",
            "quadrant": quadrant.pk,
            "ring": ring.pk,
            "reason": "Curious",
            "links": "Site | https://ziglang.org",
        },
    )
    assert response["Location"] == "/tech-radar/default/entries/zig/"
    entry = RadarEntry.objects.get(key="zig")
    assert entry.links == [{"url": "https://ziglang.org", "title": "Site"}]
    assert [(item.ring.key, item.description) for item in entry.timeline.all()] == [("assess", "Curious")]
    assert AuditEvent.objects.filter(action="techradar.entry.create", target="radar:default/zig").exists()


def test_admin_create_refuses_a_taken_key_and_a_bad_link(admin_client, sample_radar):
    quadrant, ring = sample_radar.quadrants.first(), sample_radar.rings.first()
    response = admin_client.post(
        "/tech-radar/default/add/", {"key": "htmx", "title": "R", "quadrant": quadrant.pk, "ring": ring.pk}
    )
    assert response.status_code == 400 and "already on this radar" in response.content.decode()
    response = admin_client.post(
        "/tech-radar/default/add/",
        {"key": "y", "title": "Y", "quadrant": quadrant.pk, "ring": ring.pk, "links": "x | javascript:alert(1)"},
    )
    assert response.status_code == 400 and "is not an http(s) or mailto URL" in response.content.decode()
    assert RadarEntry.objects.count() == 9


def test_admin_moves_an_entry_and_the_timeline_records_it(admin_client, sample_radar):
    hold = sample_radar.rings.get(key="hold")
    response = admin_client.post("/tech-radar/default/entries/htmx/move/", {"ring": hold.pk, "reason": "Too heavy"})
    assert response.status_code == 302
    entry = RadarEntry.objects.get(key="htmx")
    newest = entry.timeline.first()
    assert (entry.ring.key, newest.from_ring.key, newest.ring.key, newest.moved, newest.description) == (
        "hold",
        "adopt",
        "hold",
        -1,
        "Too heavy",
    )
    assert AuditEvent.objects.filter(action="techradar.entry.move").count() == 1


def test_a_move_needs_a_reason_and_another_ring(admin_client, sample_radar):
    adopt = sample_radar.rings.get(key="adopt")
    trial = sample_radar.rings.get(key="trial")
    assert (
        admin_client.post("/tech-radar/default/entries/htmx/move/", {"ring": trial.pk, "reason": " "}).status_code
        == 400
    )
    response = admin_client.post("/tech-radar/default/entries/htmx/move/", {"ring": adopt.pk, "reason": "again"})
    assert response.status_code == 400 and "already in ADOPT" in response.content.decode()
    assert RadarEntry.objects.get(key="htmx").timeline.count() == 1


def test_admin_edits_details_without_touching_the_timeline(admin_client, sample_radar):
    quadrant = sample_radar.quadrants.get(key="languages")
    response = admin_client.post(
        "/tech-radar/default/entries/htmx/edit/",
        {"title": "htmx 2", "quadrant": quadrant.pk, "description": "*new*"},
    )
    assert response.status_code == 302
    entry = RadarEntry.objects.get(key="htmx")
    assert (entry.title, entry.quadrant.key, entry.timeline.count()) == ("htmx 2", "languages", 1)
