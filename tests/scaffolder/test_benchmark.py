"""The benchmark command runs at small scale on SQLite, and cleans up after itself."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import Entity, Location
from scaffolder.models import Task


@pytest.mark.django_db(transaction=True)
def test_benchmark_runs_concurrent_tasks_without_errors():
    out = StringIO()
    call_command("scaffolder_benchmark", files=20, runs=3, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("one run, 20-file skeleton: ")
    assert lines[1].startswith("3 concurrent runs: ")
    assert lines[2] == "errors: 0"
    assert Task.objects.count() == 0
    assert not Entity.objects.filter(kind="Template").exists() and not Location.objects.exists()
