"""Soundcheck in a real browser: the entity tab, the team view and a campaign page (light and dark)."""

from __future__ import annotations

import pytest

from tests.browser.sessions import signed_in_browser_page
from tests.browser.test_catalog_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
from tests.soundcheck.conftest import alice, organisation, platform_admin  # noqa: F401
from tests.soundcheck.factories import check_result, make_campaign, make_check, make_track, track_result

A, A1, B = "group:default/team-a", "group:default/team-a1", "group:default/team-b"


@pytest.fixture
def soundcheck_data(transactional_db, organisation, settings):  # noqa: F811
    """Loaded before the browser starts: Playwright's event loop forbids database calls afterwards."""
    settings.API_ANONYMOUS_READ = True
    owner = make_check("has-owner", name="Has an owner", description="Every entity names its owning team.")
    docs = make_check(
        "has-docs",
        name="Has TechDocs",
        fail_message="No docs were found.",
        fix="Add a `mkdocs.yml` beside `catalog-info.yaml` and the annotation `backstage.io/techdocs-ref: dir:.`",
    )
    tests = make_check("runs-tests", name="Runs tests in CI")
    track = make_track(
        "basics",
        name="Service basics",
        description="What every production service needs.",
        levels=(("Bronze", [owner]), ("Silver", [docs]), ("Gold", [tests])),
        entity_filter={"kind": ["component"]},
    )
    track_result(track, "component:default/web", 1, A, history=((60, 1),))
    check_result(owner, "component:default/web", "passed")
    check_result(docs, "component:default/web", "failed", message="docs/index.md is missing")
    check_result(tests, "component:default/web", "error", message="The rule names an unknown fact ci.tests")
    track_result(track, "component:default/docs-site", 3, A, history=((80, 1), (40, 2), (12, 3)))
    track_result(track, "component:default/lib", 2, A1, history=((50, 1), (20, 2)))
    track_result(track, "component:default/cart", 0, B)
    for index in range(12):
        track_result(
            track,
            f"component:default/svc-{index}",
            index % 4,
            A1 if index % 2 else B,
            history=((70 - 5 * index, index % 4),),
        )
    make_campaign(
        "silver-q3",
        name="Silver for everything",
        track=track,
        target_level=2,
        send_reminders=True,
        description="Docs for every service before the autumn audit.",
    )
    return track


def open_browser():
    from playwright.sync_api import sync_playwright

    return sync_playwright()


@pytest.fixture
def page_and_base(soundcheck_data, live_server):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with open_browser() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(10_000)
        yield page, live_server.url
        browser.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_entity_tab_shows_levels_checks_and_fixes(page_and_base, scheme):
    page, base = page_and_base
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{base}/catalog/component/default/web/")
    page.click("nav.tabs >> text=Soundcheck")
    page.wait_for_selector("h2:has-text('Service basics')")
    assert page.locator(".sc-track-head .sc-badge").inner_text() == "L1 · Bronze"
    assert page.locator(".sc-check.sc-state-failed").count() == 1
    assert page.locator(".sc-check.sc-state-error").count() == 1
    page.click(".sc-state-failed summary:has-text('How to fix it')")
    assert page.locator(".sc-state-failed .sc-fix code").first.inner_text() == "mkdocs.yml"
    assert page.locator("form.sc-rerun").count() == 0  # anonymous readers cannot re-run
    page.screenshot(path=str(SCREENSHOTS / f"soundcheck-tab-{scheme}.png"), full_page=True)


def test_owner_sees_the_rerun_button(soundcheck_data, live_server, alice):  # noqa: F811
    with signed_in_browser_page(live_server.url, alice) as page:
        page.goto(f"{live_server.url}/catalog/component/default/web/soundcheck/")
        assert page.locator("form.sc-rerun button").inner_text() == "Re-run checks"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_team_view_with_trend_and_leaderboard(page_and_base, scheme):
    page, base = page_and_base
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{base}/soundcheck/")
    page.click("a:has-text('Team A1')")
    page.wait_for_selector("h1:has-text('Team A1')")
    page.goto(f"{base}/soundcheck/teams/default/team-a/")
    page.check("input[name=children]")
    page.click("main button:has-text('Show')")
    page.wait_for_url("**children=1**")
    assert page.locator("svg.sc-trend").count() == 1
    assert page.locator("svg.sc-bars").count() >= 2
    assert page.locator(".sc-shortfalls tbody tr").count() == 5  # web, lib, svc-1, svc-5, svc-9
    page.screenshot(path=str(SCREENSHOTS / f"soundcheck-team-{scheme}.png"), full_page=True)


def test_campaign_page_burn_up_and_laggards(page_and_base):
    page, base = page_and_base
    page.goto(f"{base}/soundcheck/campaigns/")
    page.click("a:has-text('Silver for everything')")
    page.wait_for_selector("h1:has-text('Silver for everything')")
    assert page.locator("svg.sc-burn-up .sc-deadline").count() == 1
    assert page.locator(".sc-team h3").first.inner_text().startswith("Team")
    page.screenshot(path=str(SCREENSHOTS / "soundcheck-campaign.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SCREENSHOTS / "soundcheck-campaign-phone.png"), full_page=True)


def test_start_a_campaign_from_the_styled_form(soundcheck_data, live_server, platform_admin):  # noqa: F811
    """The new-campaign form: its sections, the track-or-check rule before any submit, the level
    picker of each track, then a campaign made from it; a bad date is refused in place."""
    with signed_in_browser_page(live_server.url, platform_admin) as page:
        page.goto(f"{live_server.url}/soundcheck/campaigns/new/")
        legends = page.locator("main fieldset legend").all_inner_texts()
        assert legends == ["The campaign", "Goal", "When", "Who", "Which entities"]
        assert "Choose one of the two." in page.locator("main").inner_text()  # before any submit
        assert page.locator("main label").filter(has_text=":").count() == 0  # no Django colons
        page.screenshot(path=str(SCREENSHOTS / "soundcheck-campaign-new.png"), full_page=True)

        page.fill("input[name=key]", "gold-h1")
        page.fill("input[name=name]", "Gold in the first half")
        page.select_option("select[name=track]", label="Service basics")
        page.select_option("select[name=target_level]", label="L3 · Gold")
        page.fill("input[name=starts_on]", "2026-12-01")
        page.fill("input[name=deadline]", "2026-11-01")  # before the start: refused
        page.click("main button:has-text('Create the campaign')")
        page.wait_for_selector("main .errorlist, main .field-error, main [role=alert]")
        assert page.input_value("input[name=name]") == "Gold in the first half"  # nothing typed is lost
        page.screenshot(path=str(SCREENSHOTS / "soundcheck-campaign-new-error.png"), full_page=True)

        page.fill("input[name=deadline]", "2027-06-30")
        page.click("main button:has-text('Create the campaign')")
        page.wait_for_selector("h1:has-text('Gold in the first half')")
        assert "Service basics L3 (Gold)" in page.locator("main").inner_text()
