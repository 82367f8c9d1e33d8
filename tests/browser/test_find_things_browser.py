"""Finding things on the demo catalog in a real browser: search with typos, the explorer's pickers and sorts.

Run without DATABASE_URL, these walk the embedded default (SQLite): typo tolerance there is FTS5's
vocabulary (``portal.search.spelling``); on PostgreSQL, pg_trgm. "Did you mean" works on both.
"""

from __future__ import annotations

import re

from tests.browser.test_catalog_browser import SCREENSHOTS, browser_page  # noqa: F401


def result_titles(page) -> list[str]:
    return page.locator(".result h3").all_inner_texts()


def test_search_forgives_typos_and_offers_a_did_you_mean(browser_page):  # noqa: F811
    page, base = browser_page
    page.goto(f"{base}/search/?q=tripp")
    page.wait_for_selector("h2.results-count")
    titles = result_titles(page)
    assert titles and all("trip" in title.lower() for title in titles[:2]), titles
    page.screenshot(path=str(SCREENSHOTS / "search-typo-tripp.png"), full_page=True)

    page.fill("#search-page-input", "notfication servce")
    page.click("form.search-form button[type=submit]")
    page.wait_for_selector("h2.results-count:has-text('notfication servce')")
    assert result_titles(page)[0] == "Notification service"
    page.screenshot(path=str(SCREENSHOTS / "search-typo-notification.png"), full_page=True)


def test_too_many_typos_get_a_did_you_mean(browser_page):  # noqa: F811
    page, base = browser_page
    # Three typos are too many for the search, not for the suggestion.
    page.goto(f"{base}/search/?q=nootifucatoon")
    page.wait_for_selector(".did-you-mean a")
    # No facet says "None": with nothing found there are none, and the results take the width.
    assert page.locator(".search-facets").count() == 0 and "None" not in page.locator("main").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "search-did-you-mean.png"), full_page=True)
    page.click(".did-you-mean a")
    page.wait_for_selector("h2.results-count:has-text('notification')")
    assert "q=notification" in page.url and result_titles(page)


def test_explorer_opens_on_components_and_filters_with_pickers(browser_page):  # noqa: F811
    page, base = browser_page
    page.goto(f"{base}/catalog/")
    assert page.locator("select[name=kind] option:checked").inner_text().startswith("Component (")
    components = page.locator("#entity-table p.muted").first.inner_text()
    assert components == "17 entities"
    assert set(page.locator("#entity-table tbody td:nth-child(2)").all_inner_texts()) == {"Component"}
    page.screenshot(path=str(SCREENSHOTS / "explorer-components.png"))

    owners = page.locator("select[name=owner] option").all_inner_texts()
    assert owners[0] == "Any" and all(re.fullmatch(r".+ \(\d+\)", label) for label in owners[1:]), owners
    payments = next(label for label in owners if label.startswith("payments ("))
    page.select_option("select[name=owner]", label=payments)
    count = payments.rsplit("(", 1)[1].rstrip(")")
    page.wait_for_selector(f"#entity-table p.muted:has-text('{count} entit')")
    assert "owner=group%3Adefault%2Fpayments" in page.url
    page.screenshot(path=str(SCREENSHOTS / "explorer-owner-picked.png"))

    page.select_option("select[name=owner]", "")
    page.wait_for_selector("#entity-table p.muted:has-text('17 entities')")
    tags = page.locator("select[name=tag] option").all_inner_texts()
    tag = next(label for label in tags[1:])
    page.select_option("select[name=tag]", label=tag)
    page.wait_for_selector(f"#entity-table p.muted:has-text('{tag.rsplit('(', 1)[1].rstrip(')')} entit')")
    assert "tag=" in page.url

    page.select_option("select[name=tag]", "")
    page.wait_for_selector("#entity-table p.muted:has-text('17 entities')")
    # "All" is an explicit choice: kind= stays in the URL, so a reload keeps every kind.
    page.select_option("select[name=kind]", "")
    page.wait_for_url(re.compile(r"[?&]kind=(&|$)"))
    page.wait_for_selector("#entity-table tbody td:nth-child(2):not(:has-text('Component'))")
    page.screenshot(path=str(SCREENSHOTS / "explorer-all-kinds-tagged.png"))
    page.reload()
    assert page.locator("select[name=kind] option:checked").inner_text() == "All"


def test_every_explorer_column_sorts_both_ways(browser_page):  # noqa: F811
    page, base = browser_page
    page.goto(f"{base}/catalog/")
    headers = page.locator("#entity-table thead th").all_inner_texts()
    assert [header.strip(" ▲▼").upper() for header in headers] == [
        "NAME", "KIND", "SYSTEM", "OWNER", "TYPE", "LIFECYCLE", "DESCRIPTION", "TAGS",
    ]  # fmt: skip
    page.click("#entity-table th a:has-text('Owner')")
    page.wait_for_selector("th[aria-sort=ascending] a:has-text('Owner')")
    assert "sort=owner" in page.url
    owners = [text.strip() for text in page.locator("#entity-table tbody td:nth-child(4)").all_inner_texts()]
    assert owners == sorted(owners), owners
    page.screenshot(path=str(SCREENSHOTS / "explorer-sorted-owner.png"))
    page.click("#entity-table th a:has-text('Owner')")
    page.wait_for_selector("th[aria-sort=descending] a:has-text('Owner')")
    assert "sort=-owner" in page.url
    owners = [text.strip() for text in page.locator("#entity-table tbody td:nth-child(4)").all_inner_texts()]
    assert owners == sorted(owners, reverse=True), owners
    # The sort survives a filter change: the list reloads with it.
    page.select_option("select[name=lifecycle]", index=1)
    page.wait_for_timeout(800)
    assert "sort=-owner" in page.url
    page.screenshot(path=str(SCREENSHOTS / "explorer-sorted-owner-desc.png"))


def wait_for_kind_count(page, label: str) -> None:
    page.wait_for_function("text => document.querySelector('select[name=kind]').innerText.includes(text)", arg=label)


def test_picker_counts_follow_the_filters_after_an_htmx_reload(browser_page):  # noqa: F811
    page, base = browser_page
    page.goto(f"{base}/catalog/")
    before = page.locator("select[name=kind] option").all_inner_texts()
    owners = page.locator("select[name=owner] option").all_inner_texts()
    payments = next(label for label in owners if label.startswith("payments ("))
    page.select_option("select[name=owner]", label=payments)
    count = payments.rsplit("(", 1)[1].rstrip(")")
    page.wait_for_selector(f"#entity-table p.muted:has-text('{count} entit')")
    # The kind picker now counts payments' entities only: its Component count is the table's.
    wait_for_kind_count(page, f"Component ({count})")
    after = page.locator("select[name=kind] option").all_inner_texts()
    assert after != before and f"Component ({count})" in after, (before, after)
    tags = page.locator("select[name=tag] option").all_inner_texts()[1:]
    assert tags and all(int(label.rsplit("(", 1)[1].rstrip(")")) <= int(count) for label in tags), tags
    # The chosen owner stays chosen in the swapped picker, and the list still reloads from it.
    assert page.locator("select[name=owner] option:checked").inner_text() == payments
    page.screenshot(path=str(SCREENSHOTS / "explorer-picker-counts.png"))
    page.select_option("select[name=owner]", "")
    page.wait_for_selector("#entity-table p.muted:has-text('17 entities')")
    wait_for_kind_count(page, "Component (17)")
    assert page.locator("select[name=kind] option").all_inner_texts() == before
