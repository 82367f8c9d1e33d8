"""Locations read over SSH with the app-config's ``integrations.ssh``: ingested, refused, and never stored."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

from catalog import config
from catalog.formats.readers.gitssh import pinned_host_keys
from catalog.models import Entity, Location
from catalog.services import parse_location_target, refresh_location, register_location
from tests.conftest import component
from tests.sshd_server import SshServer, make_key, make_served_repository, start_sshd, use_ssh_integration

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    yield from start_sshd(tmp_path_factory.mktemp("sshd"))


@pytest.fixture(scope="module")
def served(sshd: SshServer) -> str:
    """The ssh URL of a repository holding one component."""
    return sshd.url(make_served_repository(sshd, "payments", {"catalog-info.yaml": component("payments")}))


def key_body(private_key: str) -> str:
    """A line from the middle of a private key: what would show if the key leaked anywhere."""
    return private_key.strip().splitlines()[2]


def everything_stored() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def test_the_app_config_integration_reaches_the_reader_policy(settings, tmp_path, sshd):
    use_ssh_integration(settings, tmp_path / "config", sshd)

    policy = config.reader_policy()

    (credential,) = policy.ssh_credentials
    assert (credential.host, credential.port, credential.user, credential.label) == (
        "127.0.0.1",
        sshd.port,
        sshd.user,
        "ssh[0]",
    )
    assert credential.private_key.strip() == sshd.deploy_key.private.strip()
    assert key_body(sshd.deploy_key.private) not in repr(policy)


def test_a_location_over_ssh_is_ingested_and_the_key_is_stored_nowhere(settings, tmp_path, sshd, served, caplog):
    use_ssh_integration(settings, tmp_path / "config", sshd)

    with caplog.at_level("DEBUG"):
        location = register_location(parse_location_target(f"url:{served}"))
        report = refresh_location(location)

    assert report.added == [location.entity_ref, "component:default/payments"]
    location.refresh_from_db()
    assert location.status == Location.Status.OK and location.errors == []
    assert Entity.objects.get(ref="component:default/payments").location_key == f"url:{served}#main:catalog-info.yaml"
    secret = key_body(sshd.deploy_key.private)
    assert secret not in caplog.text
    assert secret not in everything_stored()


def test_a_wrong_key_is_recorded_on_the_location_without_any_key(settings, tmp_path, sshd, served, caplog):
    wrong = make_key(tmp_path, "wrong")
    use_ssh_integration(settings, tmp_path / "config", sshd, private_key=wrong)

    with caplog.at_level("DEBUG"):
        location = register_location(parse_location_target(f"url:{served}"))
        refresh_location(location)

    location.refresh_from_db()
    messages = [error["message"] for error in location.errors]
    assert messages == [
        f"Could not read git repository {served}: authentication failed for 127.0.0.1 (integration ssh[0])"
    ]
    assert not Entity.objects.filter(ref="component:default/payments").exists()
    stored = everything_stored()
    for secret in (key_body(wrong.private), key_body(sshd.deploy_key.private)):
        assert secret not in stored
        assert secret not in caplog.text


def test_the_documented_app_config_example_loads_and_pins_its_host_keys(settings, tmp_path):
    text = (Path(settings.BASE_DIR) / "docs" / "private-repositories-ssh.md").read_text()
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "app-config.yaml").write_text(example)
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "greenroom-deploy-key").write_text(make_key(tmp_path, "deploy").private)
    settings.GREENROOM_CONFIG_FILE = str(tmp_path / "app-config.yaml")
    config.catalog_settings.cache_clear()

    (credential,) = config.reader_policy().ssh_credentials

    assert (credential.host, credential.port, credential.user) == ("git.velocity-cycles.example", 2222, "git")
    assert [line.split()[:2] for line in pinned_host_keys(credential, credential.host)] == [
        ["git.velocity-cycles.example", "ssh-ed25519"],
        ["git.velocity-cycles.example", "ecdsa-sha2-nistp256"],
    ]
    assert [location["target"] for location in config.catalog_settings()["LOCATIONS"]] == [
        "git@git.velocity-cycles.example:platform/catalog.git#main:**/catalog-info.yaml",
        "ssh://git@git.velocity-cycles.example:2222/platform/payments.git#:catalog-info.yaml",
    ]
