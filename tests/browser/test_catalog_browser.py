"""The portal in a real browser: Debian's Chromium driven by Playwright against a live server.

Screenshots land in ``var/screenshots/`` for people to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
# As root and with no network, Chromium needs these to start quietly.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page(live_server, settings):
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), (
        "Chromium is needed for browser tests: scripts/test installs Debian's chromium package when run as root; "
        "otherwise install it (apt-get install chromium)"
    )
    from playwright.sync_api import sync_playwright

    settings.API_ANONYMOUS_READ = True
    call_command("load_demo", verbosity=0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(10_000)
        yield page, live_server.url
        browser.close()


def test_find_a_service_by_filters_and_read_its_owner(browser_page):
    page, base = browser_page
    page.goto(f"{base}/catalog/?kind=")  # every kind, then pick one
    page.select_option("select[name=kind]", "Component")
    page.wait_for_selector("text=17 entities")
    assert "kind=Component" in page.url  # the filter lives in the URL
    page.fill("main input[name=q]", "billing")
    page.wait_for_selector("text=1 entity")
    page.screenshot(path=str(SCREENSHOTS / "catalog-filtered.png"))
    # Leaving the text field must not send the list again: a late list reload pushes its URL
    # and cancels the click on a result that is already under way.
    list_reloads = []
    page.on("request", lambda request: list_reloads.append(request.url) if "hx-request" in request.headers else None)
    page.locator("main input[name=q]").blur()
    page.wait_for_timeout(600)
    assert list_reloads == []
    page.click("text=Billing service")
    page.wait_for_selector("h1:has-text('Billing service')")
    owner = page.locator("#card-owner .owner-name strong").inner_text()
    assert owner == "Payments"
    page.screenshot(path=str(SCREENSHOTS / "entity-page.png"), full_page=True)
    page.click("text=billing-events")  # follow a relation
    page.wait_for_selector("h1")
    assert "/catalog/api/default/billing-events/" in page.url


def test_header_search_jumps_to_an_entity(browser_page):
    page, base = browser_page
    page.goto(f"{base}/")
    page.fill("#site-search", "payments")
    page.wait_for_selector("#suggestions a")
    page.screenshot(path=str(SCREENSHOTS / "header-search.png"))
    page.click("#suggestions a >> text=Payments API")
    page.wait_for_selector("h1:has-text('Payments API')")


def test_owner_lookup_for_on_call(browser_page):
    page, base = browser_page
    page.goto(f"{base}/whois/")
    page.fill("main input[name=q]", "billing-service")
    page.press("main input[name=q]", "Enter")
    page.wait_for_selector("text=If this fails, what else fails")
    assert "payments@velocitycycles.example" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "whois.png"), full_page=True)
