"""The Create page and a multi-step template form in a real browser (Debian's Chromium, Playwright).

Alice picks a template, fills two steps (pickers from the catalog, a repository location, a secret),
checks the review page (secret masked), creates the run and lands on its task page. A conditional
field appears through htmx when its controlling choice changes. Screenshots, light and dark, desktop
and phone width, land in ``var/screenshots/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from portal.celery import app
from tests.browser.sessions import signed_in_browser_page
from tests.browser.test_catalog_browser import CHROMIUM, SCREENSHOTS
from tests.browser.test_home_browser import shoot as shoot_light_and_dark
from tests.catalog.conftest import load_catalog_file
from tests.scaffolder.form_fixtures import PEOPLE_AND_SYSTEMS, form_templates


@pytest.fixture
def alice_page(live_server, django_user_model, write_file):
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), "Chromium is needed for browser tests"
    text = PEOPLE_AND_SYSTEMS + "".join("---\n" + yaml.safe_dump(body, sort_keys=False) for body in form_templates())
    load_catalog_file(write_file, "catalog.yaml", text)
    app.conf.task_always_eager = True  # the run (no steps) finishes inside the request
    try:
        with signed_in_browser_page(live_server.url, django_user_model.objects.create_user("alice")) as page:
            yield page, live_server.url
    finally:
        app.conf.task_always_eager = False


def shoot(page, name: str) -> None:
    """Light and dark at desktop width, then light at phone width."""
    shoot_light_and_dark(page, name)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 860})


def test_create_page_filters_and_shows_golden_paths(alice_page):
    page, base = alice_page
    page.goto(f"{base}/create/")
    assert page.locator(".template-card").count() == 9
    assert page.locator(".template-card.golden").count() == 2
    shoot(page, "create-page")
    page.select_option("select[name=type]", "documentation")
    page.wait_for_selector("text=1 template matches")
    assert "type=documentation" in page.url


def test_fill_a_multi_step_form_through_review_to_the_task(alice_page):
    page, base = alice_page
    page.goto(f"{base}/create/?q=pickers")
    page.click("a.button:has-text('Choose')")
    page.wait_for_selector("h2:has-text('Pickers')")
    page.click("button:has-text('Next')")
    page.wait_for_selector("#field-owner-error")
    assert page.get_attribute("#field-owner", "aria-invalid") == "true"
    shoot(page, "template-form-errors")
    page.select_option("#field-owner", "group:default/team-a")
    page.select_option("#field-system", "system:default/payments")
    page.fill("#field-anything", "component:default/billing")
    page.click("button:has-text('Next')")
    page.wait_for_selector("h2:has-text('Repository')")
    page.select_option("#field-repoUrl-host", "github.com")
    page.select_option("#field-repoUrl-owner", "acme")
    page.fill("#field-repoUrl-repo", "new-service")
    page.fill("#field-token", "s3cret")
    page.click("button:has-text('Review')")
    page.wait_for_selector("h2:has-text('Review')")
    review = page.locator(".review-values").all_inner_texts()
    assert "github.com?owner=acme&repo=new-service" in " ".join(review)
    assert "s3cret" not in " ".join(review) and "••••••••" in " ".join(review)
    shoot(page, "template-form-review")
    page.click("button:has-text('Back')")
    page.wait_for_selector("h2:has-text('Repository')")
    assert page.input_value("#field-repoUrl-repo") == "new-service"
    page.click("button:has-text('Review')")
    page.click("button:has-text('Create')")
    page.wait_for_url("**/create/tasks/**")
    page.wait_for_selector("h1:has-text('Run of Pickers')")
    shoot(page, "template-form-task")


def test_conditional_field_appears_through_htmx(alice_page):
    page, base = alice_page
    page.goto(f"{base}/create/templates/default/conditional/")
    assert page.locator("#field-dbSize").count() == 0
    page.fill("#field-name", "svc")
    page.select_option("#field-database", "postgres")
    page.wait_for_selector("#field-dbSize")
    assert page.input_value("#field-name") == "svc"
    shoot(page, "template-form-conditional")


def test_a_pattern_refusal_reads_as_the_fields_help_not_a_regex(alice_page):
    page, base = alice_page
    page.goto(f"{base}/create/templates/default/kinds/")
    page.fill("#field-slug", "Not Valid")
    page.click("button[name=action][value=next]")
    page.wait_for_selector("#field-slug-error")
    assert page.inner_text("#field-slug-error") == "Slug is not in the expected format: Lowercase"
    assert "^[a-z-]+$" not in page.locator("main").inner_text()
    page.locator("#field-slug").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "template-form-pattern-error.png"))
