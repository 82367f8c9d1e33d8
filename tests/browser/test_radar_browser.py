"""The Tech Radar in a real browser: read the picture, hover and focus a blip, open an entry (light and dark)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.browser.test_catalog_browser import SCREENSHOTS, browser_page  # noqa: F401


@pytest.fixture
def demo_radar(transactional_db):
    """Loaded before the browser starts: Playwright's event loop forbids database calls afterwards."""
    call_command("load_demo_radar", verbosity=0)


@pytest.fixture
def radar_page(demo_radar, browser_page):  # noqa: F811
    return browser_page


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_read_the_radar_hover_a_blip_and_open_an_entry(radar_page, scheme):
    page, base = radar_page
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{base}/")
    page.click("nav.sidebar >> text=Tech Radar")
    page.wait_for_selector("h1:has-text('Velocity Cycles Tech Radar')")
    assert page.locator(".radar-svg a.blip").count() == 23
    page.screenshot(path=str(SCREENSHOTS / f"radar-{scheme}.png"), full_page=True)

    graphql = page.locator(".radar-svg a.blip[href$='/entries/graphql/']")
    graphql.hover()
    tip = page.locator(".radar-tip")
    assert tip.get_attribute("visibility") == "visible"
    assert "GraphQL: Hold, Frameworks (moved out)" in tip.text_content()
    assert page.locator(".radar-legend a.is-active").inner_text() == "GraphQL"
    page.screenshot(path=str(SCREENSHOTS / f"radar-hover-{scheme}.png"))

    # Keyboard: focus a blip and open it with Enter.
    kotlin = page.locator(".radar-svg a.blip[href$='/entries/kotlin/']")
    kotlin.focus()
    assert "Kotlin: Adopt, Languages (moved in)" in tip.text_content()
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Kotlin')")
    assert page.locator(".radar-timeline li").count() == 2

    page.goto(f"{base}/tech-radar/default/entries/graphql/")
    page.wait_for_selector("h2:has-text('Migration backlog')")
    assert page.locator("text=Rider backend-for-frontend").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / f"radar-entry-{scheme}.png"), full_page=True)


def test_table_view_filters_and_the_hold_warning(radar_page):
    page, base = radar_page
    page.goto(f"{base}/tech-radar/default/table/")
    page.select_option("select[name=ring]", "hold")
    page.click("main button:has-text('Filter')")
    page.wait_for_url("**ring=hold**")
    assert page.locator(".radar-table tbody tr").count() == 3
    page.screenshot(path=str(SCREENSHOTS / "radar-table.png"), full_page=True)
    page.goto(f"{base}/catalog/component/default/rider-bff/")
    assert page.locator("#card-tech-radar-hold").inner_text().count("GraphQL") == 1
    page.screenshot(path=str(SCREENSHOTS / "radar-hold-warning.png"), full_page=True)


def test_radar_on_a_phone(radar_page):
    page, base = radar_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/tech-radar/default/")
    assert page.locator(".radar-svg").bounding_box()["width"] <= 390
    page.screenshot(path=str(SCREENSHOTS / "radar-phone.png"), full_page=True)
