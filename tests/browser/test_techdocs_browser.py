"""Reading docs in a real browser: the Docs tab, the docs page, an in-page link; light and dark screenshots."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser.test_catalog_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
from tests.techdocs.conftest import docs_source, register, techdocs_storage  # noqa: F401 - the docs fixtures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def docs_browser(live_server, settings, docs_source, register):  # noqa: F811 - the imported fixtures
    from playwright.sync_api import sync_playwright

    from techdocs.services import check_entity_docs

    assert Path(CHROMIUM).exists() or shutil.which("chromium")
    settings.API_ANONYMOUS_READ = True
    entity = register(docs_source())
    check_entity_docs(entity.ref)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser, live_server.url
        browser.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_read_docs_from_the_entity_page(docs_browser, scheme):
    browser, base = docs_browser
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page.set_default_timeout(10_000)
    page.goto(f"{base}/catalog/component/default/documented-component/")
    page.click("nav.tabs >> text=Docs")
    page.wait_for_selector("text=Assist levels")
    page.screenshot(path=str(SCREENSHOTS / f"docs-tab-{scheme}.png"), full_page=True)
    page.click("text=Open the docs")
    page.wait_for_selector("article.docs-content h1:has-text('Motor controller')")
    page.screenshot(path=str(SCREENSHOTS / f"docs-page-{scheme}.png"), full_page=True)
    page.click("article.docs-content >> text=Wiring the controller")
    page.wait_for_selector("h1:has-text('Wiring the controller')")
    assert page.url.endswith("/docs/default/component/documented-component/sub-page/")
    assert page.locator(".docs-nav a[aria-current=page]").inner_text() == "Wiring"
    page.click(".docs-toc >> text=Connectors")
    assert page.url.endswith("#connectors")
    page.close()
