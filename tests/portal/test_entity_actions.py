"""The entity page's Refresh and Unregister: shown only to owners and admins, enforced by the views."""

from __future__ import annotations

import pytest

from catalog.models import Entity, Location
from tests.workers import broker_unreachable

pytestmark = pytest.mark.django_db

SHOP_WEB = "/catalog/component/default/shop-web/"


@pytest.fixture
def queued(monkeypatch) -> list[str]:
    sent: list[str] = []
    monkeypatch.setattr("catalog.tasks.refresh_location_task.delay", sent.append)
    return sent


def page_as(client, user, url: str = SHOP_WEB) -> str:
    client.force_login(user)
    return client.get(url).content.decode()


def test_owner_sees_refresh_and_unregister(client, org_catalog, alice):
    page = page_as(client, alice)
    assert 'action="/catalog/component/default/shop-web/actions/refresh/"' in page
    assert 'href="/catalog/component/default/shop-web/actions/unregister/"' in page


def test_owner_of_one_entity_in_a_shared_location_may_only_refresh(client, org_catalog, alice):
    page = page_as(client, alice, "/catalog/component/default/reports/")
    assert "actions/refresh/" in page and "actions/unregister/" not in page


@pytest.mark.parametrize("persona", ["bob", "reader"])
def test_others_see_no_actions(request, client, org_catalog, persona):
    page = page_as(client, request.getfixturevalue(persona))
    assert "actions/refresh/" not in page and "actions/unregister/" not in page


def test_admin_sees_actions_everywhere(client, org_catalog, platform_admin):
    page = page_as(client, platform_admin, "/catalog/component/default/billing/")
    assert "actions/refresh/" in page and "actions/unregister/" in page


def test_refresh_queues_the_location(client, org_catalog, alice, queued, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SHOP_WEB + "actions/refresh/")
    assert response.status_code == 302 and response["Location"] == SHOP_WEB
    assert queued == [str(org_catalog["shop"].pk)]


def test_refresh_while_the_broker_is_down_is_recorded_and_answers_as_usual(
    client, org_catalog, alice, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("catalog.tasks.refresh_location_task.delay", broker_unreachable)
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SHOP_WEB + "actions/refresh/")

    assert response.status_code == 302 and response["Location"] == SHOP_WEB
    location = Location.objects.get(pk=org_catalog["shop"].pk)
    assert location.refresh_requested_at is not None
    assert location.last_refresh_started_at is None or location.last_refresh_started_at < location.refresh_requested_at


@pytest.mark.parametrize("persona", ["bob", "reader"])
def test_refresh_is_forbidden_to_others_whatever_the_button(request, client, org_catalog, queued, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(SHOP_WEB + "actions/refresh/").status_code == 403
    assert queued == []


def test_anonymous_posts_are_sent_to_sign_in(client, org_catalog, queued):
    response = client.post(SHOP_WEB + "actions/refresh/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(SHOP_WEB + "actions/unregister/").status_code == 302
    assert Location.objects.count() == 3


def test_unregister_previews_what_goes(client, org_catalog, alice):
    client.force_login(alice)
    page = client.get(SHOP_WEB + "actions/unregister/").content.decode()
    assert org_catalog["shop"].location_ref in page
    assert "2 entities" in page and "shop-api" in page and "billing" not in page


def test_unregister_deletes_the_location_and_its_entities(client, org_catalog, alice):
    client.force_login(alice)
    response = client.post(SHOP_WEB + "actions/unregister/", follow=True)
    assert "Unregistered" in response.content.decode()
    assert not Location.objects.filter(pk=org_catalog["shop"].pk).exists()
    assert not Entity.objects.filter(name__in=["shop-web", "shop-api"]).exists()


@pytest.mark.parametrize(("persona", "url"), [("bob", SHOP_WEB), ("alice", "/catalog/component/default/reports/")])
def test_unregister_is_forbidden_without_owning_everything(request, client, org_catalog, persona, url):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url + "actions/unregister/").status_code == 403
    assert client.post(url + "actions/unregister/").status_code == 403
    assert Location.objects.count() == 3


def test_unknown_entity_is_404(client, org_catalog, alice):
    client.force_login(alice)
    assert client.post("/catalog/component/default/nope/actions/refresh/").status_code == 404
