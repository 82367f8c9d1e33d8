"""Soundcheck fixtures: a small catalog read from files, checks and tracks built in the test, and a
small organisation for the pages.

``org`` has children ``team-a`` (child ``team-a1``) and ``team-b``. ``alice`` is a member of team-a
(which owns ``web`` and ``docs-site``); ``bob`` of team-b (``cart``); ``lib`` belongs to team-a1.
``web`` and ``cart`` are part of the system ``shop``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from catalog.services import refresh_location, register_location, validate_location_spec
from portal.registry import FactRecord
from soundcheck.models import Check, Level, Track
from soundcheck.rules import parse_rule
from soundcheck.services.facts import record_facts
from tests.catalog.personal_fixtures import alice, bob  # noqa: F401  (the same people as the catalog's tests)


def descriptor(name: str, *, kind: str = "Component", owner: str = "team-a", **spec: object) -> str:
    """One entity as YAML, with ``tags`` and ``description`` taken into metadata."""
    tags = spec.pop("tags", None)
    description = spec.pop("description", None)
    metadata = f"  name: {name}\n"
    if tags:
        metadata += "  tags: [" + ", ".join(tags) + "]\n"  # type: ignore[arg-type]
    if description:
        metadata += f"  description: {description}\n"
    body = {"type": "service", "lifecycle": "production", "owner": owner, **spec}
    spec_text = "".join(f"  {key}: {value}\n" for key, value in body.items() if value is not None)
    return f"apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n{metadata}spec:\n{spec_text}"


@pytest.fixture
def make_catalog(write_file, db) -> Callable[..., None]:
    """Register and refresh one file location holding the given descriptors."""
    counter = [0]

    def make(*descriptors: str) -> None:
        counter[0] += 1
        path = write_file(f"catalog-{counter[0]}.yaml", "---\n".join(descriptors))
        location = register_location(validate_location_spec("file", str(path)), trusted=True)
        refresh_location(location)

    return make


def make_check(key: str, rule: dict, **fields: object) -> Check:
    return Check.objects.create(key=key, name=key.replace("-", " ").title(), rule=parse_rule(rule), **fields)


def make_track(key: str, levels: list[list[Check]], entity_filter: dict | None = None) -> Track:
    track = Track.objects.create(key=key, name=key.title(), entity_filter=entity_filter or {})
    for ordinal, checks in enumerate(levels, start=1):
        level = Level.objects.create(track=track, ordinal=ordinal, name=f"L{ordinal}")
        level.checks.set(checks)
    return track


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
    location = register_location(validate_location_spec("file", str(path)), trusted=True)
    refresh_location(location)
    return location


@pytest.fixture
def reader(client, settings):
    settings.API_ANONYMOUS_READ = True
    return client


@pytest.fixture
def platform_admin(django_user_model):
    return django_user_model.objects.create_superuser("root", password="root-password-1")


SHOP = "component:default/shop"
BILLING = "component:default/billing"


def push(ref: str, **values: object) -> None:
    record_facts([FactRecord(ref, name.replace("__", "."), value) for name, value in values.items()], "test")


@pytest.fixture
def ladder(make_catalog):
    """shop and billing (team-b), a 3-level track over components: owner; readme; coverage >= 80."""
    make_catalog(descriptor("shop"), descriptor("billing", owner="team-b"))
    owner = make_check("has-owner", {"fact": "catalog.owner", "exists": True})
    readme = make_check("has-readme", {"fact": "repository.has_readme", "equals": True})
    coverage = make_check("coverage", {"fact": "ci.coverage", ">=": 80})
    return make_track("quality", [[owner], [readme], [coverage]], {"kind": ["component"]})
