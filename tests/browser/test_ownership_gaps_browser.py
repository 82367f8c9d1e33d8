"""The ownership gaps page in a real browser: reached from home, filtered by gap type over htmx."""

from __future__ import annotations

from tests.browser.test_catalog_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, browser_page  # noqa: F401


def test_reach_the_gaps_from_home_and_filter_them(browser_page):  # noqa: F811
    page, base = browser_page
    page.goto(f"{base}/")
    page.click("text=Ownership gaps")
    page.wait_for_selector("h1:has-text('Ownership gaps')")
    assert page.locator("#gaps-table tbody tr").count() >= 1
    page.select_option("select[name=gap]", "empty-group")
    page.wait_for_url("**gap=empty-group**")
    page.wait_for_selector("#gaps-table")
    for text in page.locator("#gaps-table tbody tr td:nth-child(3)").all_inner_texts():
        assert "empty-group" in text
    assert page.locator("h1").count() == 1  # htmx swapped the table only
    page.screenshot(path=str(SCREENSHOTS / "ownership-gaps.png"), full_page=True)
