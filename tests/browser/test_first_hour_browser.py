"""The first hour, in a real browser: what is broken (Locations), who owns it (choices, contact links), no 404s.

Screenshots land in ``var/screenshots/``.
"""

from __future__ import annotations

import pytest

from catalog.services import refresh_location, register_location, validate_location_spec
from tests.browser.test_catalog_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, browser_page  # noqa: F401

BROKEN = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: half-done, title: Half done}
spec: {type: service, lifecycle: production, owner: fleet}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: never-loaded
spec:
  lifecycle: production
  owner: fleet
"""


@pytest.fixture
def broken_location(db, tmp_path):
    """Made before the browser starts: Django refuses queries inside Playwright's event loop."""
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    location = register_location(validate_location_spec("file", str(path)), trusted=True)
    refresh_location(location)
    return location


def test_see_what_is_broken_from_home_to_the_error_line(broken_location, browser_page):  # noqa: F811
    page, base = browser_page
    location = broken_location
    page.goto(f"{base}/")
    page.click("text=Locations with errors")
    page.wait_for_selector("h1:has-text('Locations')")
    assert "status=error" in page.url
    page.screenshot(path=str(SCREENSHOTS / "locations-errors.png"), full_page=True)
    page.click(f"a[href='/catalog/locations/{location.pk}/']")
    page.wait_for_selector("#errors-heading")
    row = page.locator("section[aria-labelledby=errors-heading] tbody tr").first
    cells = row.locator("td").all_inner_texts()
    assert cells[2:4] == ["10", "spec.type"], cells  # the line of the broken document's spec
    assert "Half done" in page.locator("section[aria-labelledby=provided-heading]").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "location-detail.png"), full_page=True)


def test_reach_the_owner_from_a_name_that_means_several_entities(browser_page, settings):  # noqa: F811
    settings.CATALOG = {**settings.CATALOG, "CONTACT_LINKS": {"slack": "https://velocity-cycles.slack.com"}}
    page, base = browser_page
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    page.goto(f"{base}/whois/?q=unlock")
    choices = page.locator(".whois-choices li")
    assert choices.count() >= 2
    assert choices.first.inner_text().startswith("Unlock"), choices.first.inner_text()
    assert "Component · service" in choices.first.inner_text()
    link = page.locator("dd a[title='slack.com/channel']").first
    assert link.get_attribute("href").startswith("https://velocity-cycles.slack.com/app_redirect?channel=")
    assert page.locator("dt[title='slack.com/channel']").first.inner_text() == "Slack"
    page.screenshot(path=str(SCREENSHOTS / "whois-choices.png"), full_page=True)
    page.locator(".whois-choices a.chip", has_text="Unlock API").click()
    page.wait_for_selector("h2:has-text('(API)')")
    assert "api%3Adefault" in page.url or "api:default" in page.url
    assert missing == [], missing  # the favicon included
