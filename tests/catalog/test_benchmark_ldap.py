"""``catalog_benchmark --ldap`` end to end at a tiny size, on a real slapd."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.models import Entity, Location, ProviderState
from tests.catalog.slapd_server import require_slapd
from tests.catalog.test_benchmark import child_environment  # noqa: F401 - the fixture


@pytest.mark.django_db(transaction=True)
def test_ldap_benchmark_runs_the_provider_twice_into_an_emptied_catalog(tmp_path, child_environment):  # noqa: F811
    require_slapd()
    figures = tmp_path / "figures.json"
    out = io.StringIO()
    call_command("catalog_benchmark", ldap=200, yes=True, json=str(figures), stdout=out)
    [row] = json.loads(figures.read_text())["ldap"]
    assert (row["users"], row["groups"]) == (200, 11)
    assert row["provider_run_seconds"] > 0 and row["unchanged_provider_run_seconds"] > 0
    assert row["run_peak_rss_mb"] > 0 and row["statistics_job_seconds"] >= 0
    assert Entity.objects.filter(kind="User").count() == 200
    assert Location.objects.get().type == "provider"
    assert ProviderState.objects.get().entity_count == 211
    assert "## ldapOrg provider" in out.getvalue()


def test_ldap_benchmark_refuses_a_size_below_one():
    with pytest.raises(CommandError, match="--ldap takes a number of users of at least 1"):
        call_command("catalog_benchmark", ldap=0, yes=True)
