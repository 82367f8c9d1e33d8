"""Starring entities: the toggle on the entity page, its post, and stars kept by ref."""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.models import Entity, Star
from catalog.services import delete_location, refresh_location, register_location, validate_location_spec

pytestmark = pytest.mark.django_db
STAR_URL = "/catalog/stars/"
WEB_PAGE = "/catalog/component/default/web/"


def star(client, ref="component:default/web", starred="true", **headers):
    return client.post(STAR_URL, {"ref": ref, "starred": starred, "next": WEB_PAGE}, **headers)


def test_signed_in_person_stars_an_entity_and_returns_to_the_page(client, alice, people_catalog):
    client.force_login(alice)
    response = star(client)
    assert response.status_code == 302 and response["Location"] == WEB_PAGE
    assert list(Star.objects.values_list("user__username", "entity_ref")) == [("alice", "component:default/web")]


def test_htmx_post_answers_with_the_pressed_button_only(client, alice, people_catalog):
    client.force_login(alice)
    response = star(client, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'aria-pressed="true"' in body and "Unstar" in body
    assert 'name="starred" value="false"' in body and f'name="next" value="{WEB_PAGE}"' in body


def test_unstar_removes_only_that_persons_star(client, alice, bob, people_catalog):
    Star.objects.create(user=alice, entity_ref="component:default/web")
    Star.objects.create(user=bob, entity_ref="component:default/web")
    client.force_login(alice)
    response = star(client, starred="false", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'aria-pressed="false"' in body and "Unstar" not in body and 'name="starred" value="true"' in body
    assert list(Star.objects.values_list("user__username", flat=True)) == ["bob"]


def test_starring_twice_keeps_one_star(client, alice, people_catalog):
    client.force_login(alice)
    star(client)
    star(client, ref="Component:default/WEB")
    assert Star.objects.filter(user=alice).count() == 1


def test_unstarring_what_is_not_starred_changes_nothing(client, alice, people_catalog):
    client.force_login(alice)
    assert star(client, starred="false").status_code == 302
    assert not Star.objects.exists()


def test_anonymous_post_is_sent_to_sign_in_and_stores_nothing(client, people_catalog):
    response = star(client)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Star.objects.exists()


def test_unknown_entity_is_404(client, alice, people_catalog):
    client.force_login(alice)
    assert star(client, ref="component:default/nothing").status_code == 404
    assert not Star.objects.exists()


def test_starred_must_say_true_or_false(client, alice, people_catalog):
    client.force_login(alice)
    response = star(client, starred="maybe")
    assert response.status_code == 400 and b"starred must be" in response.content
    assert not Star.objects.exists()


def test_post_without_csrf_token_is_refused(alice, people_catalog):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert star(client).status_code == 403
    assert not Star.objects.exists()


def test_toggle_form_carries_a_csrf_token(client, alice, people_catalog):
    client.force_login(alice)
    page = client.get(WEB_PAGE).content.decode()
    form = page.split('class="star-toggle"')[1].split("</form>")[0]
    assert 'name="csrfmiddlewaretoken"' in form


def test_next_leading_off_site_returns_to_the_entity_page(client, alice, people_catalog):
    client.force_login(alice)
    response = client.post(STAR_URL, {"ref": "api:default/orders-api", "starred": "true", "next": "https://evil.test/"})
    assert response["Location"] == "/catalog/api/default/orders-api/"


def test_get_is_not_allowed(client, alice, people_catalog):
    client.force_login(alice)
    assert client.get(STAR_URL).status_code == 405


def test_entity_page_shows_the_toggle_in_its_state(client, alice, people_catalog):
    client.force_login(alice)
    page = client.get(WEB_PAGE).content.decode()
    assert 'aria-pressed="false"' in page and "Star</button>" in page.replace("\n", "").replace("  ", "")
    Star.objects.create(user=alice, entity_ref="component:default/web")
    assert 'aria-pressed="true"' in client.get(WEB_PAGE).content.decode()


def test_anonymous_visitors_see_no_toggle(client, settings, people_catalog):
    settings.API_ANONYMOUS_READ = True
    page = client.get(WEB_PAGE).content.decode()
    assert "star-toggle" not in page and "aria-pressed" not in page


def test_star_outlives_the_entity_being_ingested_again_with_a_new_uid(client, alice, people_catalog):
    Star.objects.create(user=alice, entity_ref="component:default/web")
    old_uid = Entity.objects.get(ref="component:default/web").pk
    target = people_catalog.target
    delete_location(people_catalog)
    refresh_location(register_location(validate_location_spec("file", target), trusted=True))
    assert Entity.objects.get(ref="component:default/web").pk != old_uid
    client.force_login(alice)
    assert 'aria-pressed="true"' in client.get(WEB_PAGE).content.decode()
