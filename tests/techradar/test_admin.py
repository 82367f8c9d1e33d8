"""Curating in the Django admin: a ring changed there is a move, recorded in the timeline."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model

from portal.models import AuditEvent
from techradar.models import RadarEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", password="root-password-1"))
    return client


def _form(entry: RadarEntry, **changes) -> dict:
    data = {
        "entry_id": entry.entry_id,
        "title": entry.title,
        "quadrant": entry.quadrant_id,
        "ring": entry.ring_id,
        "description": entry.description,
        "links": json.dumps(entry.links),
        "url": entry.url,
        "position": entry.position,
        "timeline-TOTAL_FORMS": "0",
        "timeline-INITIAL_FORMS": "0",
        "timeline-MIN_NUM_FORMS": "0",
        "timeline-MAX_NUM_FORMS": "0",
    }
    return {**data, **changes}


def test_changing_the_ring_in_the_admin_appends_a_timeline_item(staff_client, sample_radar):
    entry = RadarEntry.objects.get(key="htmx")
    hold = sample_radar.rings.get(key="hold")
    response = staff_client.post(f"/admin/techradar/radarentry/{entry.pk}/change/", _form(entry, ring=hold.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    newest = entry.timeline.first()
    assert (entry.ring.key, newest.from_ring.key, newest.ring.key, newest.description) == (
        "hold",
        "adopt",
        "hold",
        "Moved in the admin",
    )


def test_editing_other_fields_in_the_admin_leaves_the_timeline(staff_client, sample_radar):
    entry = RadarEntry.objects.get(key="htmx")
    response = staff_client.post(f"/admin/techradar/radarentry/{entry.pk}/change/", _form(entry, title="htmx 2"))
    assert response.status_code == 302
    assert RadarEntry.objects.get(key="htmx").title == "htmx 2" and entry.timeline.count() == 1
    event = AuditEvent.objects.get(action="techradar.entry.admin_change")
    assert event.target == "radar:default/htmx" and "title" in event.details["fields"]


def test_admin_lists_entries(staff_client, sample_radar):
    page = staff_client.get("/admin/techradar/radarentry/").content.decode()
    assert "Forgejo Actions" in page and "Deploying on Friday afternoons" in page
