"""The benchmark command runs end to end on a small synthetic catalog and cleans up after itself."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from catalog.models import Entity, Location
from soundcheck.models import Check, CheckResult, Fact

pytestmark = pytest.mark.django_db


def test_benchmark_times_full_and_incremental_evaluation():
    out = io.StringIO()
    call_command("soundcheck_benchmark", entities=50, checks=6, incremental=10, stdout=out)
    text = out.getvalue()
    # 50 components registered through the catalog's services, plus their location's Location entity.
    assert "full evaluation (all new):" in text and "for 51 entities, 306 results" in text
    assert "entities: 51, checks: 6" in text
    assert "full evaluation (unchanged): " in text and "306 results, 0 check changes" in text
    changed = text.split("full evaluation (10% changed): ")[1].splitlines()[0]
    assert "for 51 entities, 306 results" in changed and ", 0 check changes" not in changed
    assert "incremental (10 entities): p50" in text
    assert "peak memory: " in text and " MiB" in text
    assert not Entity.objects.exists() and not Location.objects.exists() and not Check.objects.exists()
    assert not Fact.objects.exists() and not CheckResult.objects.exists()
