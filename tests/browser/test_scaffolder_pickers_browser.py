"""The tags and personal pickers in a real browser (Debian's Chromium, Playwright).

Alice types tags (suggestions arrive through htmx, counted), adds them, removes one, picks one of
her systems and one of her groups, and reaches the review. Screenshots land in ``var/screenshots/``.
"""

from __future__ import annotations

import yaml
from playwright.sync_api import expect

from tests.browser.sessions import signed_in_browser_page
from tests.browser.test_scaffolder_form_browser import shoot
from tests.catalog.conftest import load_catalog_file
from tests.scaffolder.form_fixtures import PEOPLE_AND_SYSTEMS
from tests.scaffolder.templates import template
from tests.scaffolder.test_form_pickers import PAGE, TAGGED


def test_tags_and_personal_pickers_through_to_the_review(live_server, django_user_model, write_file):
    body = template([PAGE], name="more-pickers", title="More pickers")
    load_catalog_file(
        write_file, "catalog.yaml", PEOPLE_AND_SYSTEMS + TAGGED + "---\n" + yaml.safe_dump(body, sort_keys=False)
    )
    with signed_in_browser_page(live_server.url, django_user_model.objects.create_user("alice")) as page:
        page.goto(f"{live_server.url}/create/templates/default/more-pickers/")
        page.fill("#field-tags-add", "py")
        options = page.locator("#field-tags-options option")
        expect(options).to_have_count(1)  # go, payments and python before typing
        assert options.get_attribute("value") == "python" and options.text_content() == "python (2)"
        page.fill("#field-tags-add", "python, Bad_Tag")
        page.click("#field-tags button:has-text('Add')")
        page.wait_for_selector("#field-tags input[value='Bad_Tag']")
        page.click("button:has-text('Review')")
        page.wait_for_selector("#field-tags-error")
        assert "'Bad_Tag' is not a valid tag" in page.inner_text("#field-tags-error")
        shoot(page, "template-form-tags-error")
        page.uncheck("#field-tags input[value='Bad_Tag']")
        page.fill("#field-tags-add", "new-tag")
        page.select_option("#field-mine", "system:default/payments")
        page.select_option("#field-group", "group:default/team-a")
        assert page.locator("#field-group option").count() == 2  # "Choose…" and team-a
        page.click("button:has-text('Review')")
        page.wait_for_selector("h2:has-text('Review')")
        review = " ".join(page.locator(".review-values").all_inner_texts())
        assert "python, new-tag" in review and "group:default/team-a" in review
        assert "system:default/payments" in review
        shoot(page, "template-form-tags-review")
