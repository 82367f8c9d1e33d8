"""The sidebar: the current section marked, built once however many templates a page renders."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from portal import context_processors
from portal.context_processors import navigation


def test_the_current_section_is_marked_and_others_are_not():
    request = RequestFactory().get("/catalog/component/default/shop/")
    items = {item["url"]: item["is_current"] for item in navigation(request)["nav_items"]}
    assert items["/catalog/"] is True
    assert items["/"] is False
    assert sum(items.values()) == 1


def test_it_is_built_once_per_request(monkeypatch):
    calls = []
    real = context_processors._navigation
    monkeypatch.setattr(context_processors, "_navigation", lambda request: calls.append(1) or real(request))
    request = RequestFactory().get("/docs/")
    first, second = navigation(request), navigation(request)
    assert first is second and len(calls) == 1
    assert navigation(RequestFactory().get("/docs/")) == first and len(calls) == 2


@pytest.mark.django_db
def test_the_explorer_marks_only_the_catalog_as_current(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="reader-password-1"))
    page = client.get("/catalog/").content.decode()
    assert page.count('aria-current="page"') == 1
