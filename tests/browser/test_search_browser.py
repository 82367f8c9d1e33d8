"""Search in a real browser: suggestions while typing, the search page, a facet, light and dark."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from portal.search.indexing import replace_documents
from tests.browser.test_catalog_browser import SCREENSHOTS, browser_page  # noqa: F401


@pytest.fixture
def billing_runbook(transactional_db):
    """The demo catalog with one docs page indexed (before the browser starts: the index is the database)."""
    call_command("load_demo", verbosity=0)
    replace_documents(
        "techdocs",
        "component:default/billing-service",
        [
            {
                "title": "Billing runbook",
                "location": "/catalog/component/default/billing-service/#runbook",
                "text": "When invoices stop, check the billing queue first.",
                "headings": ["Invoices"],
            }
        ],
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_type_in_the_header_then_filter_the_search_page(billing_runbook, browser_page, scheme):  # noqa: F811
    page, base = browser_page
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{base}/")
    page.fill("#site-search", "billi")
    page.wait_for_selector("#suggestions li a:has-text('Billing service')")
    suggestions = page.locator("#suggestions li").all_inner_texts()
    # Entities first, then docs pages, then the way to every result.
    assert suggestions.index(next(text for text in suggestions if "Billing runbook" in text)) > 0
    assert suggestions[-1].startswith("See all results")
    page.screenshot(path=str(SCREENSHOTS / f"search-suggestions-{scheme}.png"))
    page.click("#suggestions >> text=See all results")
    page.wait_for_selector("h2.results-count")
    assert "/search/?q=billi" in page.url
    assert page.locator("mark").count() > 0
    page.screenshot(path=str(SCREENSHOTS / f"search-page-{scheme}.png"), full_page=True)
    page.click(".search-facets a.facet-value:has-text('Documentation')")
    page.wait_for_selector("h2.results-count:has-text('1 result')")
    assert "type=techdocs" in page.url
    assert page.locator(".result h3").all_inner_texts() == ["Billing runbook"]
    page.screenshot(path=str(SCREENSHOTS / f"search-facet-{scheme}.png"), full_page=True)


def test_search_page_on_a_phone(browser_page):  # noqa: F811
    page, base = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/search/?q=payment")
    page.wait_for_selector("h2.results-count")
    page.screenshot(path=str(SCREENSHOTS / "search-page-phone.png"), full_page=True)
    # The facets stack above the results instead of squeezing them.
    facets, results = page.locator(".search-facets").bounding_box(), page.locator(".search-results").bounding_box()
    assert results["y"] > facets["y"] and results["width"] > 300
