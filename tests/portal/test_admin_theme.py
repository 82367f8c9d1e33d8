"""The admin in the portal's look: branding, theme stylesheet, and the portal's recent activity."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from catalog.models import Entity
from portal.services.audit import record_event
from tests.catalog.api_fixtures import CATALOG
from tests.catalog.conftest import load_catalog_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_admin(django_user_model):
    user = django_user_model.objects.create_user("pat", password="pat-password-1", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="platform-admins")[0])
    return user


def test_the_admin_is_branded_and_themed(client, platform_admin):
    client.force_login(platform_admin)
    page = client.get("/admin/").content.decode()
    assert "Greenroom admin" in page and "Django administration" not in page
    assert "/static/portal/admin-theme.css" in page and "/static/portal/favicon.svg" in page
    assert "← Back to the portal" in page


def test_platform_admins_see_the_portal_s_recent_activity(client, platform_admin):
    record_event("location.refresh", "url:https://git.example.com/a/catalog-info.yaml")
    client.force_login(platform_admin)
    page = client.get("/admin/").content.decode()
    assert "Recent activity in Greenroom" in page
    assert "<strong>location.refresh</strong> url:https://git.example.com/a/catalog-info.yaml" in page


def test_other_staff_do_not_see_the_audit_log_on_the_index(client, django_user_model):
    record_event("location.refresh", "url:https://git.example.com/secret-team/catalog-info.yaml")
    staff = django_user_model.objects.create_user("sam", password="sam-password-1", is_staff=True)
    client.force_login(staff)
    page = client.get("/admin/").content.decode()
    assert "Recent activity in Greenroom" not in page and "secret-team" not in page


def test_the_entity_form_has_no_empty_label_row(client, platform_admin, write_file):
    load_catalog_file(write_file, "catalog.yaml", CATALOG)
    entity = Entity.objects.exclude(kind="Location").first()
    platform_admin.is_superuser = True  # entities' change form is for superusers and curators
    platform_admin.save(update_fields=["is_superuser"])
    client.force_login(platform_admin)
    page = client.get(f"/admin/catalog/entity/{entity.pk}/change/").content.decode()
    assert "<label>:</label>" not in page
    assert "<label>Source:</label>" in page
