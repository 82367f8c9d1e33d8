"""``catalog_providers refresh ID --wait`` handing the run to a real Celery worker, against a real slapd."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from benchmarks.catalog.ldap_directory import organisation
from catalog import config
from catalog.management.commands import catalog_providers
from catalog.models import Entity, ProviderState
from tests.catalog.slapd_server import SlapdServer
from tests.catalog.test_ldap_provider import SECRET, ldap_config
from tests.workers import worker_database_url

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_refresh_wait_is_run_by_the_worker(tmp_path, settings, monkeypatch, capsys):
    server = SlapdServer(tmp_path / "slapd", password=SECRET)
    server.slapadd(organisation(20, (2,)).ldif)
    server.start()
    app_config = tmp_path / "app-config.yaml"
    app_config.write_text(ldap_config(server.url))
    monkeypatch.setenv("LDAP_SECRET", SECRET)
    settings.GREENROOM_CONFIG_FILE = str(app_config)
    config.catalog_settings.cache_clear()
    # The worker below consumes this process's broker, whichever it is (Redis in CI, or the files).
    monkeypatch.setattr(catalog_providers, "uses_worker", lambda: True)
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "GREENROOM_CONFIG": str(app_config),
        "LDAP_SECRET": SECRET,
    }
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "--loglevel", "INFO"],
        cwd=REPO_ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        try:
            call_command("catalog_providers", "refresh", "ldapOrg:corp", "--wait")
        except CommandError:
            pytest.fail(log.read_text(errors="replace")[-3000:])
        out = capsys.readouterr().out
        assert "ldapOrg:corp: 22 added, 0 changed, 0 removed, 22 entities in" in out
        assert Entity.objects.filter(location__target="ldapOrg:corp").count() == 22
        server.stop()
        with pytest.raises(CommandError, match=r"^ldapOrg:corp failed: cannot connect to ldap://127\.0\.0\.1:"):
            call_command("catalog_providers", "refresh", "ldapOrg:corp", "--wait")
        assert ProviderState.objects.get(provider_id="ldapOrg:corp").consecutive_failures == 1
        assert Entity.objects.filter(location__target="ldapOrg:corp").count() == 22
        assert SECRET not in log.read_text(errors="replace")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        server.stop()
