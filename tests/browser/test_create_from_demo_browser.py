"""Create something on the embedded default, in a real browser: sign in as the demo account, dry-run a
demo golden path, create a component from it, follow the run, open the new entity and its docs, and find
it again by searching with a typo.

The worker's part (the run, then the docs build) is done in a thread of the test, as the Celery worker
``scripts/portal`` starts would. Screenshots land in ``var/screenshots/create-*.png``.
"""

from __future__ import annotations

import io
import threading
import zipfile

import pytest
from django.core.management import call_command

from catalog.models import Entity
from portal.services.demo_account import DEMO_USERNAME, create_demo_admin
from scaffolder.actions.builtin.demo_publisher import admit_demo_repositories
from scaffolder.models import Task
from scaffolder.tasks import run_task
from techdocs.services import request_build, run_build
from tests.browser.test_catalog_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_portal(live_server, settings, tmp_path, monkeypatch):
    """The embedded default as ``scripts/portal`` leaves it: demo catalog, demo publisher, demo account."""
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.DATA_DIR = tmp_path / "var"
    settings.SCAFFOLDER = {
        **settings.SCAFFOLDER,
        "DEMO_PUBLISHER": True,
        "WORKING_DIRECTORY": str(tmp_path / "workspaces"),
        "KEPT_WORKSPACES_DIRECTORY": str(tmp_path / "kept"),
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    admit_demo_repositories()
    call_command("load_demo", verbosity=0)
    password = create_demo_admin()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True).new_page()
        page.set_default_timeout(20_000)
        yield page, live_server.url, password
        browser.close()


def _fill_django_service(page, base: str, name: str) -> None:
    page.goto(f"{base}/create/")
    page.get_by_role("link", name="Choose Python/Django service").click()
    page.fill("#field-name", name)
    page.fill("#field-description", "Finds a free dock near the rider")
    _choose(page, "#field-owner", "group:default/fleet")
    _choose(page, "#field-system", "system:default/trip-management")
    page.get_by_role("button", name="Review").click()
    page.wait_for_selector("text=About the service")


def _choose(page, selector: str, ref: str) -> None:
    """A picker is a select when its choices are few, else a text input with suggestions."""
    field = page.locator(selector)
    if field.evaluate("element => element.tagName") == "SELECT":
        field.select_option(ref)
    else:
        field.fill(ref)


def _run_in_the_worker(task_id: str) -> None:
    worker = threading.Thread(target=run_task, args=(task_id,))
    worker.start()
    worker.join(timeout=60)


def test_create_a_component_from_a_demo_golden_path_and_read_its_docs(demo_portal):
    page, base, password = demo_portal
    page.goto(f"{base}/accounts/login/?next=/create/")
    page.get_by_label("Username or email").fill(DEMO_USERNAME)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/create/")
    assert page.locator(".template-card.golden").count() == 4
    page.screenshot(path=str(SCREENSHOTS / "create-templates.png"), full_page=True)

    # A dry run first: the files it would write, and each step's log, with nothing published.
    _fill_django_service(page, base, "dock-finder")
    page.screenshot(path=str(SCREENSHOTS / "create-review.png"), full_page=True)
    page.get_by_role("button", name="Dry run").click()
    page.wait_for_selector("text=Dry run")
    _run_in_the_worker(page.url.rstrip("/").rsplit("/", 1)[-1])
    page.wait_for_selector("#files-heading")
    page.locator("summary:has-text('settings.py')").click()
    page.wait_for_selector('text=ROOT_URLCONF = "dock_finder.urls"')
    assert page.locator(".file-tree-dir", has_text="dock_finder/").count() == 1
    assert page.locator("text=Skipping action publish:git in a dry run").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "create-dry-run.png"), full_page=True)
    assert not Entity.objects.filter(name="dock-finder").exists()

    # Then the real run: published to the demo repositories and registered.
    _fill_django_service(page, base, "dock-finder")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(f"{base}/create/tasks/**")
    task_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    _run_in_the_worker(task_id)
    page.wait_for_selector(".task-status .run-completed")
    assert Task.objects.get(pk=task_id).status == Task.Status.COMPLETED
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download workspace (.zip)").click()
    archive = zipfile.ZipFile(io.BytesIO(download_info.value.path().read_bytes()))
    assert any(name.endswith("/dock_finder/urls.py") for name in archive.namelist())
    page.screenshot(path=str(SCREENSHOTS / "create-run-finished.png"), full_page=True)

    entity = Entity.objects.get(kind="Component", name="dock-finder")
    build = request_build(entity, reason="registered")
    run_build(build.pk)
    page.get_by_role("link", name="Open in catalog").click()
    page.wait_for_selector("h1:has-text('dock-finder')")
    assert page.locator("text=Finds a free dock near the rider").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "create-new-entity.png"), full_page=True)
    page.get_by_role("link", name="View docs").click()
    try:
        page.wait_for_selector("text=A Django service owned by")
    finally:
        page.screenshot(path=str(SCREENSHOTS / "create-new-entity-docs.png"), full_page=True)
    page.screenshot(path=str(SCREENSHOTS / "create-new-entity-docs.png"), full_page=True)

    # And anyone finds it again with a typo in its name (SQLite's vocabulary, or PostgreSQL's trigrams).
    page.fill("#site-search", "dock findr")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/**")
    page.wait_for_selector("main a[href='/catalog/component/default/dock-finder/']")
    page.screenshot(path=str(SCREENSHOTS / "create-found-with-a-typo.png"), full_page=True)
