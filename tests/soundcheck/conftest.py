"""A small organisation for Soundcheck's pages: teams under a root group, a system, people.

``org`` has children ``team-a`` (child ``team-a1``) and ``team-b``. ``alice`` is a member of team-a
(which owns ``web`` and ``docs-site``); ``bob`` of team-b (``cart``); ``lib`` belongs to team-a1.
``web`` and ``cart`` are part of the system ``shop``.
"""

from __future__ import annotations

import pytest

from catalog.services import refresh_location, register_location, validate_location_spec

ORGANISATION = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: org, title: The Org}
spec: {type: organization, children: [team-a, team-b]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
  title: Team A
  annotations: {slack.com/channel: team-a-help}
spec: {type: team, profile: {email: team-a@example.com}, children: [team-a1]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a1, title: Team A1}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b, title: Team B}
spec: {type: team, profile: {email: team-b@example.com}, children: []}
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
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: shop}
spec: {owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: web, title: Web shop, tags: [python]}
spec: {type: service, lifecycle: production, owner: team-a, system: shop}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: docs-site}
spec: {type: website, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: cart}
spec: {type: service, lifecycle: production, owner: team-b, system: shop}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: lib}
spec: {type: library, lifecycle: experimental, owner: team-a1}
"""


@pytest.fixture
def organisation(write_file):
    path = write_file("org.yaml", ORGANISATION)
    location = register_location(validate_location_spec("file", str(path)))
    refresh_location(location)
    return location


@pytest.fixture
def reader(client, settings):
    settings.API_ANONYMOUS_READ = True
    return client


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", email="alice@example.com", password="alice-password-1")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def platform_admin(django_user_model):
    return django_user_model.objects.create_superuser("root", password="root-password-1")
