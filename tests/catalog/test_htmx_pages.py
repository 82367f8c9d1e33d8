"""One URL, two answers: the full page, or the fragment htmx asks for (``portal.views.HtmxPageMixin``)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from catalog.pages.apis import ApiListView
from catalog.pages.explore import ExploreView
from catalog.register_views import RegisterLocationView
from catalog.star_views import StarToggleView
from catalog.views import EntityListView
from portal.views import HtmxPageMixin
from scaffolder.views.create import TemplateListView
from scaffolder.views.form import TemplateFormView
from scaffolder.views.tasks import TaskDetailView

pytestmark = pytest.mark.django_db

PAGES = [
    ("/catalog/", {"kind": "API"}, "orders-api"),
    ("/apis/", {"q": "orders"}, "orders-api"),
    ("/explore/", {"section": "groups"}, "team-a"),
]


@pytest.mark.parametrize(("url", "query", "expected"), PAGES)
def test_plain_request_gets_the_whole_page_varying_on_hx_request(reader, catalog, url, query, expected):
    response = reader.get(url, query)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body and expected in body
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(("url", "query", "expected"), PAGES)
def test_htmx_request_gets_only_the_fragment_varying_on_hx_request(reader, catalog, url, query, expected):
    response = reader.get(url, query, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and expected in body
    assert "HX-Request" in response["Vary"]


def test_register_page_is_whole_or_the_panel(client, db):
    client.force_login(get_user_model().objects.create_user("alice"))
    page = client.get("/catalog/register/")
    panel = client.get("/catalog/register/", HTTP_HX_REQUEST="true")
    assert "<html" in page.content.decode() and "<html" not in panel.content.decode()
    assert 'name="target"' in panel.content.decode()
    assert "HX-Request" in page["Vary"] and "HX-Request" in panel["Vary"]


def test_plain_star_post_is_redirected_and_htmx_gets_the_button(client, catalog):
    client.force_login(get_user_model().objects.create_user("alice"))
    plain = client.post("/catalog/stars/", {"ref": "component:default/web", "starred": "true"})
    button = client.post(
        "/catalog/stars/", {"ref": "component:default/web", "starred": "false"}, HTTP_HX_REQUEST="true"
    )
    assert plain.status_code == 302
    assert button.status_code == 200 and "<html" not in button.content.decode()
    assert "HX-Request" in button["Vary"]


@pytest.mark.parametrize(
    "view",
    [
        EntityListView,
        ApiListView,
        ExploreView,
        RegisterLocationView,
        StarToggleView,
        TemplateListView,
        TemplateFormView,
        TaskDetailView,
    ],
)
def test_pages_with_a_fragment_take_the_switch_from_the_portal_base(view):
    assert issubclass(view, HtmxPageMixin)
    assert view.partial_name
