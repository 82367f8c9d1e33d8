"""Soundcheck over SSH: definitions synced from a private repository, and facts from the mirror it left."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from catalog.services import refresh_location, register_location, validate_location_spec
from soundcheck.collection import collect_facts
from soundcheck.definitions.sources import sync_source
from soundcheck.models import Fact, Track
from tests.sshd_server import SshServer, make_served_repository, start_sshd, use_ssh_integration

from .test_definitions import GOOD

pytestmark = pytest.mark.django_db

SHOP = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: shop}
spec: {type: service, lifecycle: production, owner: team-a}
"""


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    yield from start_sshd(tmp_path_factory.mktemp("sshd"))


def test_definitions_sync_from_a_private_ssh_repository(settings, tmp_path, sshd):
    repository = make_served_repository(sshd, "soundcheck-defs", {"soundcheck/checks.yaml": GOOD})
    use_ssh_integration(settings, tmp_path / "config", sshd)
    target = f"{sshd.url(repository)}#main:soundcheck/*.yaml"

    outcome = sync_source("url", target)

    assert outcome.errors == []
    assert Track.objects.get(key="quality").source_location == f"url:{target}"


def test_repository_facts_come_from_the_mirror_the_catalog_read_over_ssh(settings, tmp_path, sshd):
    repository = make_served_repository(sshd, "shop", {"catalog-info.yaml": SHOP, "LICENSE": "MIT\n"})
    use_ssh_integration(settings, tmp_path / "config", sshd)
    refresh_location(register_location(validate_location_spec("url", sshd.url(repository))))

    collect_facts(only=["repository"])

    found = dict(Fact.objects.filter(entity_ref="component:default/shop").values_list("name", "value"))
    assert found["repository.has_license"] is True
    assert found["repository.default_branch"] == "main"
