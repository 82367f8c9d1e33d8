"""The Locations pages: every location with its last refresh and errors, and "refresh now"."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from catalog.models import Location
from catalog.services import refresh_location, register_location, validate_location_spec

pytestmark = pytest.mark.django_db

BROKEN = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: fine}
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: broken
spec:
  lifecycle: production
  owner: team-a
"""


@pytest.fixture
def broken(write_file):
    location = register_location(validate_location_spec("file", str(write_file("broken.yaml", BROKEN))), trusted=True)
    refresh_location(location)
    location.refresh_from_db()
    return location


def test_the_list_shows_errors_first_with_counts_and_links(reader, broken, people_catalog):
    page = reader.get("/catalog/locations/").content.decode()
    assert page.index(f"/catalog/locations/{broken.pk}/") < page.index(f"/catalog/locations/{people_catalog.pk}/")
    assert '<span class="chip status-error">1 error</span>' in page
    assert "Errors (1)" in page and "Ok (1)" in page
    only_errors = reader.get("/catalog/locations/", {"status": "error"}).content.decode()
    assert str(broken.pk) in only_errors and str(people_catalog.pk) not in only_errors


def test_an_unknown_status_filter_lists_everything(reader, broken, people_catalog):
    page = reader.get("/catalog/locations/", {"status": "<script>"}).content.decode()
    assert str(broken.pk) in page and str(people_catalog.pk) in page and "<script>" not in page


def test_the_detail_names_file_line_and_field_of_each_error(reader, broken):
    page = reader.get(f"/catalog/locations/{broken.pk}/").content.decode()
    [error] = broken.errors
    assert error["field"] == "spec.type"
    assert f"<td>{error['line']}</td><td><code>spec.type</code></td>" in page
    assert error["line"] == 10, "the line of the broken document's spec, not of its first line"
    assert "broken.yaml" in page
    assert "Entities it provides (1)" in page and "component:default/fine" not in page.split("Entities it provides")[0]


def test_unknown_and_malformed_ids_are_404(reader):
    assert reader.get("/catalog/locations/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert reader.get("/catalog/locations/not-a-uuid/").status_code == 404


def test_refresh_now_is_for_admins_and_owners_only(client, broken, people_catalog, alice, bob, django_user_model):
    url = f"/catalog/locations/{people_catalog.pk}/refresh/"
    assert client.post(url).status_code == 302 and "/accounts/login/" in client.post(url)["Location"]

    client.force_login(bob)  # bob's team-b owns orders, which people.yaml provides
    assert "Refresh now" in client.get(f"/catalog/locations/{people_catalog.pk}/").content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert Location.objects.get(pk=people_catalog.pk).refresh_requested_at is not None

    client.force_login(bob)
    assert "Refresh now" not in client.get(f"/catalog/locations/{broken.pk}/").content.decode()
    assert client.post(f"/catalog/locations/{broken.pk}/refresh/").status_code == 403
    assert Location.objects.get(pk=broken.pk).refresh_requested_at is None

    admin = django_user_model.objects.create_user("pat", password="pat-password-1")
    admin.groups.add(Group.objects.get_or_create(name="platform-admins")[0])
    client.force_login(admin)
    assert client.post(f"/catalog/locations/{broken.pk}/refresh/").status_code == 302
    assert Location.objects.get(pk=broken.pk).refresh_requested_at is not None


def test_home_and_entity_pages_link_to_the_location(reader, broken):
    home = reader.get("/").content.decode()
    assert f'<a href="/catalog/locations/{broken.pk}/">' in home
    assert '<a href="/catalog/locations/?status=error">Locations with errors</a>' in home
    entity = reader.get("/catalog/component/default/fine/").content.decode()
    assert f'(<a href="/catalog/locations/{broken.pk}/">its location</a>)' in entity
