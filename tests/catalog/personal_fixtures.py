"""People for the personal pages (stars, visits, "owned by me"): accounts and the catalog they resolve in.

``alice`` signs in and is User ``alice``, member of team-a (owns ``web``); ``bob`` is member of
team-b (owns ``orders`` and ``orders-api``); ``carol`` has an account but no User entity.
``tests/catalog/conftest.py`` makes them available to every catalog test.
"""

from __future__ import annotations

import pytest

from catalog.models import Star
from catalog.services import refresh_location, register_location, validate_location_spec
from tests.catalog.api_fixtures import CATALOG, components

PEOPLE = """
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {email: alice@example.com}, memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob}
spec: {memberOf: [team-b]}
"""


@pytest.fixture
def people_catalog(write_file):
    location = register_location(
        validate_location_spec("file", str(write_file("people.yaml", CATALOG + PEOPLE))), trusted=True
    )
    refresh_location(location)
    return location


@pytest.fixture
def starred_components(write_file):
    """Load ``size`` components owned by team-a, star them all for ``user``, and return their refs."""

    def load(user, size: int, prefix: str) -> list[str]:
        path = write_file(f"{prefix}.yaml", components(size, prefix))
        refresh_location(register_location(validate_location_spec("file", str(path)), trusted=True))
        refs = [f"component:default/{prefix}-{index:03d}" for index in range(size)]
        Star.objects.bulk_create([Star(user=user, entity_ref=ref) for ref in refs])
        return refs

    return load


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", email="alice@example.com", password="alice-password-1")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def carol(django_user_model):
    return django_user_model.objects.create_user("carol", password="carol-password-1")
