"""Fixtures for the Tech Radar: the in-repo sample radar, radars built in the test, and personas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from portal.services.tokens import issue_token
from techradar.format import parse_radar_file
from techradar.services import import_radar
from tests.corpus import FIXTURES, SHARED_CONFORMANCE, corpus_params

# A radar in Backstage's data shape, written for the project; Backstage's own sample joins it when present.
SAMPLE = FIXTURES / "tech-radar" / "radar.json"
SAMPLES = corpus_params(SAMPLE, SHARED_CONFORMANCE / "tech-radar" / "sampleTechRadarResponse.json")
DEMO_RADAR = Path(__file__).resolve().parents[2] / "techradar" / "demo" / "radar.yaml"


@pytest.fixture
def sample_document() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def sample_radar(db):
    """The in-repo sample radar imported as the default radar."""
    return import_radar(parse_radar_file(SAMPLE.read_bytes(), str(SAMPLE)), "default", title="Sample radar")


@pytest.fixture
def platform_admin(db):
    user = get_user_model().objects.create_user("pat", password="pat-password-1")
    user.groups.add(Group.objects.get_or_create(name="platform-admins")[0])
    return user


@pytest.fixture
def member(db):
    return get_user_model().objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def admin_client(client, platform_admin):
    client.force_login(platform_admin)
    return client


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def admin_token_api(platform_admin) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(platform_admin, 'radar')[1]}")
    return api


@pytest.fixture
def member_token_api(member) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(member, 'radar')[1]}")
    return api


def radar_document(count: int, *, rings: int = 4) -> dict:
    """A valid radar with ``count`` entries spread over quadrants and rings deterministically."""
    ring_ids = ["adopt", "trial", "assess", "hold", "r5", "r6"][:rings]
    return {
        "quadrants": [{"id": f"q{index}", "name": f"Quadrant {index}"} for index in range(4)],
        "rings": [{"id": ring, "name": ring.title(), "color": "#5BA300"} for ring in ring_ids],
        "entries": [
            {
                "key": f"tech-{index:03d}",
                "id": f"tech-{index:03d}",
                "title": f"Technology {index:03d}",
                "quadrant": f"q{(index * 7) % 4}",
                "timeline": [
                    {
                        "ringId": ring_ids[(index * 3 // 4) % rings],
                        "date": "2024-01-01T00:00:00.000Z",
                        "moved": index % 3 - 1,
                    }
                ],
            }
            for index in range(count)
        ],
    }


@pytest.fixture
def reader(client, settings):
    """Anonymous reading, as ``API_ANONYMOUS_READ`` allows."""
    settings.API_ANONYMOUS_READ = True
    return client
