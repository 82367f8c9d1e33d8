# The scaffolder fixtures are imported below, so the test signatures "redefine" them.
# ruff: noqa: F811
"""A template run in a real browser: the log and step status update live, then the output links appear.

Screenshots (running, finished light and dark, phone width) land in ``var/screenshots/``.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings as django_settings
from django.test import Client

from scaffolder.services import create_task
from scaffolder.tasks import run_task
from tests.browser.test_catalog_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
from tests.scaffolder.conftest import (  # noqa: F401  (fixtures)
    SERVICE_TEMPLATE,
    VALUES,
    alice,
    alice_registers_local_remotes,
    bare_remote,
    make_template,
    scaffolder_settings,
)

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_SERVICE = {
    **SERVICE_TEMPLATE,
    "spec": {
        **SERVICE_TEMPLATE["spec"],
        "steps": [
            SERVICE_TEMPLATE["spec"]["steps"][0],
            {"id": "wait", "name": "Wait for review", "action": "debug:wait", "input": {"seconds": 2}},
            *SERVICE_TEMPLATE["spec"]["steps"][1:],
        ],
    },
}


@pytest.fixture
def signed_in(live_server, alice, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test still reads the database here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    client = Client()
    client.force_login(alice)
    cookie = {
        "name": django_settings.SESSION_COOKIE_NAME,
        "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_page(scheme: str = "light", viewport: dict | None = None):
            context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}, color_scheme=scheme)
            context.add_cookies([cookie])
            page = context.new_page()
            page.set_default_timeout(20_000)
            return page

        yield open_page, live_server.url
        browser.close()


def test_task_page_shows_the_live_log_and_the_links_at_the_end(
    signed_in, make_template, bare_remote, alice, alice_registers_local_remotes
):
    open_page, base = signed_in
    bare_remote()
    task = create_task(make_template(SLOW_SERVICE), VALUES, alice)
    page = open_page()
    page.goto(f"{base}{task.get_absolute_url()}")
    page.wait_for_selector("text=Waiting for a worker to pick up the run")
    worker = threading.Thread(target=run_task, args=(str(task.pk),))
    worker.start()
    try:
        page.wait_for_selector(".task-log >> text=Beginning step Wait for review")  # appeared without a reload
        assert page.locator(".step-processing .step-name").inner_text() == "Wait for review"
        page.screenshot(path=str(SCREENSHOTS / "scaffolder-run-live.png"), full_page=True)
        page.wait_for_selector(".task-status >> text=Completed")
    finally:
        worker.join(timeout=60)
    link = page.get_by_role("link", name="Open in catalog")
    assert link.get_attribute("href") == "/catalog/component/default/billing/"
    assert page.locator(".step-completed").count() == 4
    page.screenshot(path=str(SCREENSHOTS / "scaffolder-run-finished.png"), full_page=True)
    dark = open_page("dark")
    dark.goto(f"{base}{task.get_absolute_url()}")
    dark.screenshot(path=str(SCREENSHOTS / "scaffolder-run-finished-dark.png"), full_page=True)
    phone = open_page("light", {"width": 390, "height": 844})
    phone.goto(f"{base}{task.get_absolute_url()}")
    phone.screenshot(path=str(SCREENSHOTS / "scaffolder-run-phone.png"), full_page=True)
    link.click()
    page.wait_for_selector("h1:has-text('billing')")


def test_run_history_lists_the_run(signed_in, make_template, alice):
    open_page, base = signed_in
    task = create_task(make_template(), VALUES, alice)
    page = open_page()
    page.goto(f"{base}/create/tasks/")
    page.get_by_role("link", name="Python service").click()
    page.wait_for_url(f"{base}{task.get_absolute_url()}")
    page.screenshot(path=str(SCREENSHOTS / "scaffolder-run-history-target.png"))
