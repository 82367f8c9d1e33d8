"""Personas: alice (team-a) and bob (team-b) sign in, carol reads, pat is a platform admin, ``ci-bot`` is a
service account, curator is staff; and a small organisation's catalog for the role tests."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def service_account(django_user_model):
    return django_user_model.objects.create_user("ci-bot")


@pytest.fixture
def curator(django_user_model):
    user = django_user_model.objects.create_user("curator", password="curator-password-1", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="portal"))
    return user


ORG = """
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {email: alice@example.com}, memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: bob}
spec: {memberOf: [team-b]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, children: []}
"""


def components(*owned: tuple[str, str]) -> str:
    return "---\n".join(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata: {{name: {name}}}\nspec: {{type: service, lifecycle: production, owner: {owner}}}\n"
        for name, owner in owned
    )


@pytest.fixture
def org_catalog(write_file):
    """People in one location; team-a's shop alone in another; a location shared by both teams.

    Returns the locations by name: ``people``, ``shop`` (shop-web, shop-api: team-a) and
    ``shared`` (billing: team-b, reports: team-a).
    """
    from catalog.services import refresh_location, register_location, validate_location_spec

    files = {
        "people": ORG,
        "shop": components(("shop-web", "team-a"), ("shop-api", "team-a")),
        "shared": components(("billing", "team-b"), ("reports", "team-a")),
    }
    locations = {}
    for name, text in files.items():
        location = register_location(
            validate_location_spec("file", str(write_file(f"{name}.yaml", text))), trusted=True
        )
        refresh_location(location)
        locations[name] = location
    return locations


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def reader(django_user_model):
    """Signed in, but resolves to no catalog User entity: owns nothing."""
    return django_user_model.objects.create_user("carol", password="carol-password-1")


@pytest.fixture
def platform_admin(django_user_model, settings):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("pat", password="pat-password-1")
    user.groups.add(Group.objects.create(name=settings.PLATFORM_ADMIN_GROUP))
    return user
