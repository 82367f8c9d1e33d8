"""Signing in and managing API tokens in a real browser (Debian's Chromium via Playwright).

Screenshots of the sign-in page (light, dark, phone width) land in ``var/screenshots/``.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from tests.browser.test_catalog_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser(live_server):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    get_user_model().objects.create_user(
        "alice", email="alice@example.com", password="alice-password-1", first_name="Alice", last_name="Liddell"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser, live_server.url
        browser.close()


def test_sign_in_create_a_token_see_it_once_and_revoke_it(browser):
    chromium, base = browser
    page = chromium.new_page(viewport={"width": 1280, "height": 800})
    page.set_default_timeout(10_000)
    page.goto(f"{base}/catalog/")
    assert "/accounts/login/" in page.url
    page.screenshot(path=str(SCREENSHOTS / "sign-in-light.png"))
    page.get_by_label("Username or email").fill("alice@example.com")
    page.get_by_label("Password").fill("alice-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/catalog/")
    page.locator(".user-menu summary").click()
    assert "Alice Liddell" in page.locator(".user-menu summary").inner_text()
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("laptop scripts")
    page.get_by_role("button", name="Create token").click()
    plain = page.locator("#plain-token").input_value()
    assert re.fullmatch(r"grn_[A-Za-z0-9_-]{43}", plain)
    page.screenshot(path=str(SCREENSHOTS / "api-token-issued.png"), full_page=True)
    page.goto(f"{base}/accounts/tokens/")
    assert page.locator("#plain-token").count() == 0
    assert plain not in page.content()
    assert plain[:12] in page.content()  # the prefix tells tokens apart
    page.get_by_role("button", name=re.compile("Revoke laptop scripts")).click()
    page.wait_for_selector("text=is revoked")
    assert page.locator("td .chip", has_text="Revoked").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "api-token-revoked.png"), full_page=True)


@pytest.mark.parametrize(
    ("name", "scheme", "viewport"),
    [("dark", "dark", {"width": 1280, "height": 800}), ("phone", "light", {"width": 390, "height": 844})],
)
def test_sign_in_page_in_dark_and_at_phone_width(browser, name, scheme, viewport):
    chromium, base = browser
    page = chromium.new_page(viewport=viewport, color_scheme=scheme)
    page.goto(f"{base}/accounts/login/")
    page.wait_for_selector("h1:has-text('Sign in to Greenroom')")
    # Nothing wider than the screen: the form fits a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(SCREENSHOTS / f"sign-in-{name}.png"), full_page=True)
