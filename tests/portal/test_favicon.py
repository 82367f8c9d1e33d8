"""Every page names the portal's icon, and /favicon.ico leads to it instead of a 404."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def _icon_href(html: str) -> str:
    match = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert match, "the page names no icon"
    return match.group(1)


def test_pages_name_the_icon_and_favicon_ico_redirects_to_it(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x" * 16))
    href = _icon_href(client.get("/").content.decode())
    assert _icon_href(client.get("/catalog/").content.decode()) == href
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == href
    assert client.post("/favicon.ico").status_code == 405


def test_the_icon_is_a_well_formed_svg():
    path = finders.find("portal/favicon.svg")
    assert path, "portal/favicon.svg is not among the static files"
    root = ElementTree.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 32 32"
