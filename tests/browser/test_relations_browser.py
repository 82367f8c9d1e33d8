"""Following the relations graph in a real browser: the Relations tab's SVG nodes are links.

Screenshots of the tab in light and dark land in ``var/screenshots/``.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.browser.test_catalog_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

ENTITY = "/catalog/component/default/billing-service/"


@pytest.fixture
def open_page(live_server, settings):
    """A function opening a page of the demo catalog in Chromium, in the colour scheme asked for."""
    from playwright.sync_api import sync_playwright

    settings.API_ANONYMOUS_READ = True
    call_command("load_demo", verbosity=0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_page(path: str, scheme: str = "light", width: int = 1280):
            page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
            page.set_default_timeout(10_000)
            page.goto(f"{live_server.url}{path}")
            return page

        yield open_page
        browser.close()


def test_follow_the_relations_graph_to_a_neighbour(open_page):
    page = open_page(ENTITY)
    page.click("nav.tabs >> text=Relations")
    page.wait_for_selector("svg.relations-graph")
    assert page.url.endswith(f"{ENTITY}relations/")
    assert page.locator("svg.relations-graph .node.focus text").first.text_content() == "Billing service"
    page.screenshot(path=str(SCREENSHOTS / "relations-graph-light.png"), full_page=True)
    page.locator("svg.relations-graph .node", has_text="Payments API").click()
    page.wait_for_selector("h1:has-text('Payments API')")
    assert page.url.endswith("/catalog/api/default/payments-api/")


def test_depth_form_redraws_the_graph_further_out(open_page):
    page = open_page(f"{ENTITY}relations/")
    nearest = page.locator("svg.relations-graph .node").count()
    page.select_option("#relations-depth", "2")
    page.click(".graph-depth button")
    page.wait_for_url("**/relations/?depth=2")
    assert page.locator("svg.relations-graph .node").count() > nearest
    assert page.locator("#relations-depth").input_value() == "2"
    page.screenshot(path=str(SCREENSHOTS / "relations-graph-depth-2.png"), full_page=True)


def test_relations_graph_in_dark_and_on_a_phone(open_page):
    page = open_page(f"{ENTITY}relations/", scheme="dark")
    page.wait_for_selector("svg.relations-graph")
    fill = page.eval_on_selector("svg.relations-graph .node:not(.focus) path", "el => getComputedStyle(el).fill")
    assert fill == "rgb(26, 32, 41)"  # --surface in dark, not Graphviz's white
    page.screenshot(path=str(SCREENSHOTS / "relations-graph-dark.png"), full_page=True)
    phone = open_page(f"{ENTITY}relations/", width=390)
    # Labels stay readable: the drawing scrolls inside its frame, the page itself does not.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.eval_on_selector(".graph-wrap", "el => el.scrollWidth > el.clientWidth")
    phone.screenshot(path=str(SCREENSHOTS / "relations-graph-phone.png"), full_page=True)


def test_dependencies_tab_shows_paths_and_owners(open_page):
    page = open_page(ENTITY)
    page.click("nav.tabs >> text=Dependencies")
    page.wait_for_selector("#dependencies-tab-heading")
    assert page.locator("#dependencies-tab-heading ~ div table").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "dependencies-tab.png"), full_page=True)
