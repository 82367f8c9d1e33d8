"""The APIs page, the Explore page and an API's Definition tab in a real browser, light and dark.

Screenshots land in ``var/screenshots/`` for people to look at.
"""

from __future__ import annotations

import pytest

from tests.browser.test_catalog_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, browser_page  # noqa: F401


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_find_an_api_by_type_and_read_its_definition(browser_page, scheme):  # noqa: F811
    page, base = browser_page
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{base}/apis/")
    page.click("nav.type-tabs >> text=OpenAPI")
    page.wait_for_url("**type=openapi**")
    rows = page.locator("#api-table tbody tr")
    assert rows.count() >= 3 and "openapi" in rows.first.inner_text()
    assert page.locator("#api-table tbody >> text=Rider GraphQL").count() == 0
    page.fill("main input[name=q]", "payments")
    page.wait_for_selector("text=1 API")
    page.screenshot(path=str(SCREENSHOTS / f"apis-{scheme}.png"), full_page=True)
    page.click("#api-table >> text=Payments API")
    page.wait_for_selector("h1:has-text('Payments API')")
    page.click("nav >> text=Definition")
    page.wait_for_url("**/definition/")
    page.wait_for_selector("#operations-title")
    page.locator("details.operation").first.click()
    page.wait_for_selector("details.operation[open] h4")
    page.screenshot(path=str(SCREENSHOTS / f"api-definition-{scheme}.png"), full_page=True)


def test_graphql_definition_is_highlighted(browser_page):  # noqa: F811
    page, base = browser_page
    page.goto(f"{base}/catalog/api/default/rider-graphql/definition/")
    assert page.locator(".highlight .k").count() > 0
    page.screenshot(path=str(SCREENSHOTS / "api-definition-graphql.png"), full_page=True)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_explore_teams(browser_page, scheme):  # noqa: F811
    page, base = browser_page
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{base}/explore/")
    page.click("nav.type-tabs >> text=Systems")
    page.wait_for_selector("h2:has-text('Systems')")
    page.screenshot(path=str(SCREENSHOTS / f"explore-systems-{scheme}.png"), full_page=True)
    page.click("nav.type-tabs >> text=Teams")
    page.wait_for_selector("h2:has-text('Teams')")
    assert page.locator(".explore-card").count() >= 2
    page.screenshot(path=str(SCREENSHOTS / f"explore-teams-{scheme}.png"), full_page=True)
