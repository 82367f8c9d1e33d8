"""The demo catalog that `manage.py serve` loads: every document stored, no errors."""

from io import StringIO

import pytest
from django.core.management import call_command

from catalog.models import Entity, Location


@pytest.mark.django_db
def test_demo_catalog_loads_without_errors():
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO())
    location = Location.objects.get()
    assert location.errors == [] and location.status == Location.Status.OK
    kinds = set(Entity.objects.values_list("kind", flat=True))
    assert kinds >= {"Group", "User", "Domain", "System", "Component", "API", "Resource", "Location"}
    assert not Entity.objects.exclude(processing_errors=[]).exists()
    assert "refused" in out.getvalue() and " 0 refused" in out.getvalue()
