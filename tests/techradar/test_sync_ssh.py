"""A radar file in a private repository, synced over SSH through the catalog's reader."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from techradar.models import Radar, RadarEntry
from techradar.services.sync import RadarSource, sync_radar_source
from tests.sshd_server import SshServer, make_key, make_served_repository, start_sshd, use_ssh_integration
from tests.techradar.conftest import SAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    yield from start_sshd(tmp_path_factory.mktemp("sshd"))


@pytest.fixture(scope="module")
def radar_repository(sshd: SshServer):
    return make_served_repository(sshd, "radar", {"radar/data.json": SAMPLE.read_text()})


def test_a_radar_syncs_from_a_private_ssh_repository(settings, tmp_path, sshd, radar_repository):
    use_ssh_integration(settings, tmp_path / "config", sshd)
    source = RadarSource("platform", "url", f"{sshd.url(radar_repository)}#main:radar/data.json")

    assert sync_radar_source(source) == {"radar": "platform", "ok": True, "errors": []}
    assert RadarEntry.objects.filter(radar__slug="platform").count() == 9


def test_a_refused_key_keeps_the_radar_and_names_the_integration(settings, tmp_path, sshd, radar_repository):
    use_ssh_integration(settings, tmp_path / "config", sshd, private_key=make_key(tmp_path, "wrong"))
    source = RadarSource("platform", "url", f"{sshd.url(radar_repository)}#main:radar/data.json")

    outcome = sync_radar_source(source)

    assert outcome["ok"] is False
    assert outcome["errors"][0].endswith("authentication failed for 127.0.0.1 (integration ssh[0])")
    assert not Radar.objects.filter(slug="platform").exists() and not RadarEntry.objects.exists()
