"""The entity page in a real browser: tabs by keyboard and click, the owner, light, dark and phone width."""

from __future__ import annotations

import pytest

from tests.browser.test_catalog_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, browser_page  # noqa: F401

SERVICE = "/catalog/component/default/billing-service/"


def test_open_a_service_switch_tabs_and_read_its_owner(browser_page):  # noqa: F811
    page, base = browser_page
    page.goto(f"{base}{SERVICE}")
    assert page.locator(".entity-owner a").inner_text() == "Payments"
    assert page.locator("#card-owner .owner-name strong").inner_text() == "Payments"
    assert page.locator(".tabs a[aria-current=page]").inner_text() == "Overview"
    # Keyboard: focus the History tab link and press Enter.
    page.locator(".tabs a", has_text="History").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#history-heading")
    assert page.url.endswith(f"{SERVICE}history/")
    assert page.locator(".tabs a[aria-current=page]").inner_text() == "History"
    page.screenshot(path=str(SCREENSHOTS / "entity-history-tab.png"), full_page=True)
    # Click back to the overview.
    page.click(".tabs a:has-text('Overview')")
    page.wait_for_selector("#card-about-title")
    assert page.url.endswith(SERVICE)


@pytest.mark.parametrize(
    ("scheme", "viewport", "name"),
    [
        ("light", {"width": 1280, "height": 900}, "entity-page-light"),
        ("dark", {"width": 1280, "height": 900}, "entity-page-dark"),
        ("light", {"width": 390, "height": 844}, "entity-page-phone"),
    ],
)
def test_entity_page_screenshots(browser_page, scheme, viewport, name):  # noqa: F811
    page, base = browser_page
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size(viewport)
    page.goto(f"{base}{SERVICE}")
    page.wait_for_selector("#card-about-title")
    # Nothing wider than the screen: the page must not scroll sideways at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_group_page_screenshot(browser_page):  # noqa: F811
    page, base = browser_page
    page.goto(f"{base}/catalog/group/default/payments/")
    page.wait_for_selector("#card-members-title")
    assert "Owned entities" in page.locator("#card-owned-title").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "group-page.png"), full_page=True)
