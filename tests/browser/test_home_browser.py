"""Home, stars and registering a component in a real browser (Debian's Chromium, Playwright).

Sofia signs in (a session cookie made by the test client), stars an entity, finds it on her home
page and under the explorer's "starred" filter, and registers a git repository after its preview.
Screenshots, light and dark, land in ``var/screenshots/``.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from portal.celery import app
from tests.browser.test_catalog_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
from tests.conftest import component


@pytest.fixture
def signed_in_page(live_server, django_user_model):
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), "Chromium is needed for browser tests"
    from playwright.sync_api import sync_playwright

    call_command("load_demo", verbosity=0)
    # Sofia's account resolves to the demo's User entity by email; she is in rider-experience and payments.
    user = django_user_model.objects.create_user("sofia", email="sofia.marchetti@velocitycycles.example")
    client = Client()
    client.force_login(user)
    session = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    app.conf.task_always_eager = True  # the refresh a registration enqueues runs at once
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page, live_server.url
        browser.close()
    app.conf.task_always_eager = False


def shoot(page, name: str) -> None:
    """A light and a dark screenshot of the page as it is now."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{scheme}.png"), full_page=True)
    page.emulate_media(color_scheme="light")


def test_star_an_entity_and_find_it_on_home_and_under_starred(signed_in_page):
    page, base = signed_in_page
    page.goto(f"{base}/catalog/component/default/billing-service/")
    button = page.locator("form.star-toggle button")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    page.wait_for_selector("form.star-toggle button[aria-pressed='true']")
    assert "Unstar" in page.locator("form.star-toggle button").inner_text()
    assert page.url == f"{base}/catalog/component/default/billing-service/"  # swapped in place, no reload
    shoot(page, "entity-starred")

    page.goto(f"{base}/")
    starred = page.locator("#widget-starred")
    assert "Billing service" in starred.inner_text()
    assert "Billing service" in page.locator("#widget-recent").inner_text()
    assert "Billing service" in page.locator("#widget-owned").inner_text()  # Sofia is in Payments
    shoot(page, "home")

    page.goto(f"{base}/catalog/")
    page.check("input[name=starred]")
    page.wait_for_selector("text=1 entity")
    assert "starred=true" in page.url
    assert "Billing service" in page.locator("#entity-table tbody").inner_text()
    shoot(page, "catalog-starred")


def test_register_a_repository_after_its_preview(signed_in_page, git_repo, django_user_model):
    page, base = signed_in_page

    # The repository is on this machine: only a platform admin may register a local target. (In a
    # thread: Playwright's event loop runs in this one, and the ORM refuses to run beside it.)
    def make_sofia_a_platform_admin() -> None:
        admins, _ = Group.objects.get_or_create(name=django_settings.PLATFORM_ADMIN_GROUP)
        django_user_model.objects.get(username="sofia").groups.add(admins)

    promote = threading.Thread(target=make_sofia_a_platform_admin)
    promote.start()
    promote.join()
    repository = git_repo("bike-rentals")
    repository.commit({"catalog-info.yaml": component("bike-rentals", owner="payments")})
    page.goto(f"{base}/catalog/")
    page.click("text=Register an existing component")
    page.wait_for_selector("h1:has-text('Register an existing component')")
    page.fill("input[name=target]", "http://example.com/repo.git")
    page.click("button[value=preview]")
    page.wait_for_selector("[role=alert]:has-text('unsupported git remote scheme')")
    shoot(page, "register-error")

    page.fill("input[name=target]", repository.url)
    page.click("button[value=preview]")
    page.wait_for_selector("text=1 entity found")
    assert "bike-rentals" in page.locator("#preview-heading + p + .table-wrap").inner_text()
    shoot(page, "register-preview")

    page.click("button[value=register]")
    page.wait_for_selector(".banner.success")
    assert f"Registered url:{repository.url}" in page.locator(".banner.success").inner_text()
    shoot(page, "register-done")
    page.goto(f"{base}/catalog/component/default/bike-rentals/")
    page.wait_for_selector("h1:has-text('bike-rentals')")


def test_home_at_phone_width(signed_in_page):
    page, base = signed_in_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/")
    page.wait_for_selector("#widget-owned")
    shoot(page, "home-phone")
