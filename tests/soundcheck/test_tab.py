"""The entity page's Soundcheck tab: tracks, levels, checks, why and how to fix, the re-run action."""

from __future__ import annotations

import re
import sys
import types

import pytest
from django.core.cache import cache

from soundcheck.models import Track
from soundcheck.targets import track_filters
from soundcheck.ui_tasks import rerun_checks
from tests.soundcheck.factories import check_result, make_check, make_track, track_result
from tests.workers import broker_unreachable

pytestmark = pytest.mark.django_db

TAB = "/catalog/component/default/web/soundcheck/"
RERUN = "/soundcheck/entities/component/default/web/rerun/"


@pytest.fixture
def basics(organisation):
    owner = make_check("has-owner", name="Has an owner")
    docs = make_check(
        "has-docs",
        name="Has docs",
        fail_message="No docs.",
        fix="Add `mkdocs.yml`. [Guide](https://docs.example.com) <script>alert(1)</script> [x](javascript:alert(1))",
    )
    track = make_track(
        "basics", levels=(("Bronze", [owner]), ("Silver", [docs])), entity_filter={"kind": ["component"]}
    )
    track_result(track, "component:default/web", 1, "group:default/team-a")
    check_result(owner, "component:default/web", "passed")
    check_result(docs, "component:default/web", "failed", message="docs/ is missing")
    return track


def test_tab_shows_levels_checks_and_why_it_failed(reader, basics):
    page = reader.get(TAB).content.decode()
    assert '<span class="sc-badge sc-level-1" title="Level 1 of 2">L1 · Bronze</span>' in page
    assert "Has an owner" in page and "Has docs" in page
    assert '<p class="sc-why">docs/ is missing</p>' in page
    # naturaltime (joined with a no-break space), the exact time in the title
    assert re.search(r'title="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC">2\xa0minutes ago<', page)
    assert 'class="sc-check sc-state-failed"' in page and 'class="sc-check sc-state-passed"' in page


def test_fix_markdown_is_rendered_and_sanitised(reader, basics):
    page = reader.get(TAB).content.decode()
    assert "<code>mkdocs.yml</code>" in page
    assert '<a href="https://docs.example.com" rel="noopener noreferrer">Guide</a>' in page
    assert "<script>alert(1)</script>" not in page and "javascript:" not in page


def test_fix_is_not_shown_for_a_passing_check(reader, organisation):
    check = make_check("ok", fix="Never shown")
    track = make_track("t", levels=(("Bronze", [check]),), entity_filter={"kind": ["component"]})
    track_result(track, "component:default/web", 1)
    check_result(check, "component:default/web", "passed")
    assert "Never shown" not in reader.get(TAB).content.decode()


def test_tab_appears_only_where_a_track_applies(reader, basics):
    assert (
        'href="/catalog/component/default/web/soundcheck/"'
        in reader.get("/catalog/component/default/web/").content.decode()
    )
    assert reader.get("/catalog/system/default/shop/soundcheck/").status_code == 404
    assert reader.get("/catalog/group/default/team-a/soundcheck/").status_code == 404


def test_tab_follows_a_track_filter_change(reader, basics):
    assert reader.get("/catalog/component/default/cart/soundcheck/").status_code == 200
    basics.entity_filter = {"kind": ["component"], "owner": ["team-a"]}
    basics.save()
    assert reader.get("/catalog/component/default/cart/soundcheck/").status_code == 404
    assert reader.get(TAB).status_code == 200


def test_unevaluated_entity_shows_checks_as_not_run(reader, basics):
    page = reader.get("/catalog/component/default/cart/soundcheck/").content.decode()
    assert "No level yet" in page and page.count("Not run yet") == 2


def test_track_filters_are_cached_until_a_track_changes(basics, django_assert_num_queries):
    cache.clear()
    track_filters()
    with django_assert_num_queries(0):
        assert track_filters() == [(basics.pk, {"kind": ["component"]})]
    Track.objects.filter(pk=basics.pk).first().delete()
    assert track_filters() == []


@pytest.mark.parametrize("checks", [2, 20])
def test_tab_query_count_does_not_grow_with_checks(reader, basics, checks, django_assert_num_queries):
    level = basics.levels.get(ordinal=2)
    for index in range(checks):
        check = make_check(f"extra-{index}", fix=f"Fix {index}")
        level.checks.add(check)
        check_result(check, "component:default/web", "failed")
    reader.get(TAB)
    # the entity and its related batch, then the tab: track results, tracks, levels, checks, check results
    # and the last full evaluation run (the time a confirmed result shows)
    with django_assert_num_queries(8):
        assert reader.get(TAB).status_code == 200


def test_rerun_button_only_for_owners(client, basics, alice, bob):
    client.force_login(bob)
    assert "Re-run checks" not in client.get(TAB).content.decode()
    client.force_login(alice)
    assert "Re-run checks" in client.get(TAB).content.decode()


def test_rerun_refused_to_others(client, basics, bob, monkeypatch):
    calls = []
    monkeypatch.setattr(rerun_checks, "delay", calls.append)
    client.force_login(bob)
    assert client.post(RERUN).status_code == 403
    assert calls == []


def test_rerun_needs_sign_in(client, basics):
    assert client.post(RERUN).status_code == 302


def test_rerun_unknown_entity_is_404(client, basics, alice):
    client.force_login(alice)
    assert client.post("/soundcheck/entities/component/default/nope/rerun/").status_code == 404


def test_rerun_queues_evaluation_after_commit(client, basics, alice, monkeypatch, django_capture_on_commit_callbacks):
    evaluated = []
    fake = types.ModuleType("soundcheck.services.evaluations")
    fake.evaluate_entity = evaluated.append
    monkeypatch.setitem(sys.modules, "soundcheck.services.evaluations", fake)
    monkeypatch.setattr(rerun_checks, "delay", lambda ref: rerun_checks.apply(args=[ref]))
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RERUN)
    assert response.status_code == 302 and response["Location"] == TAB
    assert evaluated == ["component:default/web"]


def test_rerun_with_the_broker_down_says_the_checks_were_not_queued(client, basics, alice, monkeypatch):
    monkeypatch.setattr(rerun_checks, "delay", broker_unreachable)
    client.force_login(alice)

    response = client.post(RERUN, follow=True)

    assert response.redirect_chain == [(TAB, 302)]
    assert [str(message) for message in response.context["messages"]] == [
        "The job queue is unavailable, so the checks of Web shop could not be queued: they run again at the next "
        "scheduled evaluation, or try again in a few minutes."
    ]


def test_rerun_get_is_not_allowed(client, basics, alice):
    client.force_login(alice)
    assert client.get(RERUN).status_code == 405


def test_rerun_task_without_engine_reports_false(monkeypatch):
    monkeypatch.setitem(sys.modules, "soundcheck.services.evaluations", None)  # import fails
    assert rerun_checks("component:default/web") is False


def test_rerun_task_calls_the_evaluator(monkeypatch):
    evaluated = []
    fake = types.ModuleType("soundcheck.services.evaluations")
    fake.evaluate_entity = evaluated.append
    monkeypatch.setitem(sys.modules, "soundcheck.services.evaluations", fake)
    assert rerun_checks("component:default/web") is True
    assert evaluated == ["component:default/web"]
