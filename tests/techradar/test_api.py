"""The Tech Radar API: Backstage's data endpoint and the entries API (admin writes with a token)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from techradar.models import RadarEntry

pytestmark = pytest.mark.django_db


def test_data_endpoint_returns_the_backstage_shape(member_token_api, sample_radar, sample_document):
    response = member_token_api.get("/api/tech-radar/data")
    assert response.status_code == 200 and response.json() == sample_document
    assert member_token_api.get("/api/tech-radar/data/default").json() == sample_document


def test_data_endpoint_follows_the_read_rule(sample_radar, settings):
    assert APIClient().get("/api/tech-radar/data").status_code == 401
    settings.API_ANONYMOUS_READ = True
    assert APIClient().get("/api/tech-radar/data").status_code == 200


def test_unknown_radar_is_404_in_backstage_error_shape(member_token_api, sample_radar):
    body = member_token_api.get("/api/tech-radar/data/nope").json()
    assert body["error"]["name"] == "NotFoundError" and body["response"]["statusCode"] == 404


def test_health(sample_radar):
    assert APIClient().get("/api/tech-radar/health").json() == {"status": "ok"}


def test_lists_and_retrieves_entries(member_token_api, sample_radar):
    items = member_token_api.get("/api/tech-radar/radars/default/entries/").json()["items"]
    assert [item["key"] for item in items][:3] == ["rust", "micropython", "zephyr"]
    github = member_token_api.get("/api/tech-radar/radars/default/entries/forgejo-actions/").json()
    assert github["ring"] == "adopt" and github["quadrant"] == "platforms"
    assert [(item["ringId"], item["fromRingId"], item["moved"]) for item in github["timeline"]] == [
        ("adopt", "trial", 1),
        ("trial", None, 0),
    ]


def test_entries_list_query_count_is_fixed(member_token_api, sample_radar, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        member_token_api.get("/api/tech-radar/radars/default/entries/")


def test_members_cannot_create_or_move(member_token_api, sample_radar):
    body = {"key": "zig", "title": "Zig", "quadrant": "languages", "ring": "assess"}
    assert member_token_api.post("/api/tech-radar/radars/default/entries/", body, format="json").status_code == 403
    response = member_token_api.patch(
        "/api/tech-radar/radars/default/entries/htmx/", {"ring": "hold", "reason": "x"}, format="json"
    )
    assert response.status_code == 403
    assert not RadarEntry.objects.filter(key="zig").exists() and RadarEntry.objects.get(key="htmx").ring.key == "adopt"


def test_anonymous_cannot_write_even_with_anonymous_read(sample_radar, settings):
    settings.API_ANONYMOUS_READ = True
    response = APIClient().patch("/api/tech-radar/radars/default/entries/htmx/", {"title": "X"}, format="json")
    assert response.status_code == 401


def test_admin_creates_with_a_token(admin_token_api, sample_radar):
    body = {"key": "zig", "title": "Zig", "quadrant": "languages", "ring": "assess", "reason": "Curious"}
    response = admin_token_api.post("/api/tech-radar/radars/default/entries/", body, format="json")
    assert response.status_code == 201
    assert response.json()["timeline"][0]["description"] == "Curious"


def test_admin_create_names_the_bad_field(admin_token_api, sample_radar):
    body = {"key": "zig", "title": "Zig", "quadrant": "space", "ring": "assess"}
    response = admin_token_api.post("/api/tech-radar/radars/default/entries/", body, format="json")
    assert response.status_code == 400 and "quadrant" in response.json()["error"]["message"]
    response = admin_token_api.post("/api/tech-radar/radars/default/entries/", {"key": "zig"}, format="json")
    assert response.status_code == 400 and "title" in response.json()["error"]["message"]
    assert not RadarEntry.objects.filter(key="zig").exists()


def test_admin_moves_with_a_reason_and_the_timeline_grows(admin_token_api, sample_radar):
    response = admin_token_api.patch(
        "/api/tech-radar/radars/default/entries/htmx/", {"ring": "hold", "reason": "Too heavy"}, format="json"
    )
    assert response.status_code == 200
    timeline = response.json()["timeline"]
    assert (timeline[0]["ringId"], timeline[0]["fromRingId"], timeline[0]["moved"]) == ("hold", "adopt", -1)
    response = admin_token_api.patch("/api/tech-radar/radars/default/entries/htmx/", {"ring": "trial"}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["error"]["message"]
    assert RadarEntry.objects.get(key="htmx").timeline.count() == 2
