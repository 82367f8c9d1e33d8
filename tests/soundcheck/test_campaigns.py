"""Campaigns: targets, progress, burn-up, laggards by team, the pages and the admins' form."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from soundcheck.campaigns import burn_up_series, laggard_teams, progress_of
from soundcheck.models import Campaign
from tests.soundcheck.factories import check_result, make_campaign, make_check, make_track, track_result

pytestmark = pytest.mark.django_db

A, A1, B = "group:default/team-a", "group:default/team-a1", "group:default/team-b"


@pytest.fixture
def track(organisation):
    track = make_track("basics", levels=(("Bronze", [make_check("owner")]), ("Silver", [make_check("docs")])))
    track_result(track, "component:default/web", 2, A, history=((8, 1), (3, 2)))
    track_result(track, "component:default/docs-site", 1, A, history=((8, 1),))
    track_result(track, "component:default/cart", 0, B)
    track_result(track, "component:default/lib", 2, A1, history=((1, 2),))
    return track


@pytest.fixture
def campaign(track):
    return make_campaign("silver", track=track, target_level=2)


def test_progress_counts_targets_at_the_target_level(campaign):
    progress = progress_of([campaign])[campaign.pk]
    assert (progress.done, progress.total, progress.percent) == (2, 4, 50)


def test_entity_filter_narrows_the_targets(track):
    narrowed = make_campaign("services", track=track, target_level=2, entity_filter={"type": ["service"]})
    progress = progress_of([narrowed])[narrowed.pk]
    assert (progress.done, progress.total) == (1, 2)  # web and cart


def test_progress_of_many_campaigns_in_one_query(track, django_assert_num_queries):
    campaigns = [make_campaign(f"c{index}", track=track, target_level=1 + index % 2) for index in range(4)]
    with django_assert_num_queries(1):
        found = progress_of(campaigns)
    assert [(found[c.pk].done, found[c.pk].total) for c in campaigns] == [(3, 4), (2, 4), (3, 4), (2, 4)]


def test_check_campaign_counts_passing_results(organisation):
    check = make_check("has-docs")
    check_result(check, "component:default/web", "passed", history=((4, "failed"), (2, "passed")))
    check_result(check, "component:default/cart", "failed", history=((4, "failed"),))
    campaign = make_campaign("docs", rule_check=check)
    progress = progress_of([campaign])[campaign.pk]
    assert (progress.done, progress.total) == (1, 2)
    series = burn_up_series(campaign)
    assert series[-5:] == [0, 0, 1, 1, 1] and len(series) == 11  # passed two days ago


def test_burn_up_replays_history_from_the_start(campaign):
    series = burn_up_series(campaign)
    # starts 10 days ago: web reaches L2 3 days ago, lib 1 day ago.
    assert series == [0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2]


def test_burn_up_before_the_start_is_empty(track):
    later = make_campaign(
        "later", track=track, target_level=1, starts_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    assert burn_up_series(later) == []


def test_laggards_grouped_by_team_with_contacts(campaign):
    teams, count = laggard_teams(campaign)
    assert count == 2
    assert [(team.owner_ref, [lag.entity_ref for lag in team.laggards]) for team in teams] == [
        (A, ["component:default/docs-site"]),
        (B, ["component:default/cart"]),
    ]
    assert teams[0].email == "team-a@example.com"
    assert teams[0].contacts == [{"key": "slack.com/channel", "value": "team-a-help", "entityRef": A}]
    assert teams[0].laggards[0].detail == "L1"


def test_detail_page(reader, campaign):
    page = reader.get("/soundcheck/campaigns/silver/").content.decode()
    assert "<dd>Basics L2 (Silver)</dd>" in page
    assert "2 of 4 (50%)" in page
    assert "20 days left" in page
    assert "Still to go: 2" in page
    assert (
        '<a href="mailto:team-a@example.com">team-a@example.com</a> · Slack: '
        '<span title="slack.com/channel"><bdi>team-a-help</bdi></span>' in page
    )
    assert 'class="sc-chart sc-burn-up"' in page and "2 of 4 done after 11 days" in page


def test_detail_of_unknown_campaign_is_404(reader, organisation):
    assert reader.get("/soundcheck/campaigns/nope/").status_code == 404


def test_list_page_groups_by_state(reader, track):
    today = timezone.localdate()
    make_campaign("now", track=track, target_level=1)
    make_campaign("soon", track=track, target_level=1, starts_on=today + datetime.timedelta(days=1))
    make_campaign(
        "past",
        track=track,
        target_level=1,
        starts_on=today - datetime.timedelta(days=30),
        deadline=today - datetime.timedelta(days=1),
    )
    page = reader.get("/soundcheck/campaigns/").content.decode()
    running, upcoming, finished = (
        page.index(f'id="sc-campaigns-{state}"') for state in ("running", "upcoming", "finished")
    )
    assert running < page.index(">Now<") < upcoming < page.index(">Soon<") < finished < page.index(">Past<")
    assert page.count("3 of 4 (75%)") == 3


@pytest.mark.parametrize("size", [3, 6])
def test_list_query_count_is_pinned(reader, track, django_assert_num_queries, size):
    for index in range(size):
        make_campaign(f"c{index}", track=track, target_level=1)
    with django_assert_num_queries(2):  # campaigns with their goals, progress of all
        reader.get("/soundcheck/campaigns/")


@pytest.mark.parametrize("size", [5, 20])
def test_detail_query_count_is_pinned(reader, campaign, django_assert_num_queries, size):
    for index in range(size):
        track_result(campaign.track, f"component:default/x-{index}", 1, B, history=((2, 1),))
    # campaign, target level, progress, burn-up history, laggards, their summaries, their owners
    with django_assert_num_queries(7):
        reader.get("/soundcheck/campaigns/silver/")


# --- the form ----------------------------------------------------------------------------------------


def form_data(goal_track, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "key": "q3-silver",
        "name": "Silver by Q3",
        "track": goal_track.pk,
        "target_level": 2,
        "starts_on": today.isoformat(),
        "deadline": (today + datetime.timedelta(days=60)).isoformat(),
        "filter_kind": "Component",
        "filter_owner": "team-a, group:default/team-b",
        "send_reminders": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_new_campaign_form_has_the_portals_sections_pickers_and_inline_help(client, platform_admin, track):
    client.force_login(platform_admin)
    page = client.get("/soundcheck/campaigns/new/").content.decode()
    legends = re.findall(r"<legend>([^<]+)</legend>", page)
    assert legends == ["The campaign", "Goal", "When", "Who", "Which entities"]
    # No Django-style "Key:" labels; the goal's either-or rule is said before any submit.
    assert "Key:" not in page and "Owner (ref)" not in page and "---------" not in page
    assert "Choose one of the two." in page
    # The level is a picker of each track's levels, the owner a text field suggesting groups.
    assert '<optgroup label="Basics">' in page and '<option value="2">L2 · Silver</option>' in page
    assert 'list="campaign-owners"' in page and '<datalist id="campaign-owners">' in page


def test_admin_creates_a_campaign(client, platform_admin, track):
    client.force_login(platform_admin)
    response = client.post("/soundcheck/campaigns/new/", form_data(track))
    assert response.status_code == 302 and response["Location"] == "/soundcheck/campaigns/q3-silver/"
    campaign = Campaign.objects.get(key="q3-silver")
    assert campaign.entity_filter == {"kind": ["Component"], "owner": ["team-a", "group:default/team-b"]}
    assert campaign.send_reminders is True


def test_admin_edits_a_campaign(client, platform_admin, campaign):
    client.force_login(platform_admin)
    assert 'value="silver"' in client.get("/soundcheck/campaigns/silver/edit/").content.decode()
    response = client.post(
        "/soundcheck/campaigns/silver/edit/", form_data(campaign.track, key="ignored", name="Renamed")
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.key, campaign.name) == ("silver", "Renamed")


def test_editing_a_campaign_keeps_its_filter_expressions(client, platform_admin, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(entity_filter={"kind": ["API"], "filter": ["metadata.tags=java"]})
    client.force_login(platform_admin)
    response = client.post("/soundcheck/campaigns/silver/edit/", form_data(campaign.track))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.entity_filter == {
        "kind": ["Component"],
        "owner": ["team-a", "group:default/team-b"],
        "filter": ["metadata.tags=java"],
    }


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target_level": 7}, "Level to reach", "“Basics” has no level 7 (it has [1, 2])."),
        ({"target_level": None}, "Level to reach", "Choose the level of “Basics” to reach."),
        ({"track": None, "target_level": None}, "Track", "Choose a goal: a track with a target level, or a check."),
        ({"deadline": "2000-01-01"}, "Deadline", "The deadline is before the start."),
        ({"key": "new"}, "Key", "“new” is reserved; choose another key."),
        ({"deadline": "tomorrow"}, "Deadline", "Enter a valid date."),
    ],
)
def test_form_refuses_bad_input_naming_the_field(client, platform_admin, track, overrides, field, message):
    client.force_login(platform_admin)
    response = client.post("/soundcheck/campaigns/new/", form_data(track, **overrides))
    assert response.status_code == 400
    assert f'<span class="field-error" role="alert">{field}: {message}</span>' in response.content.decode()
    assert not Campaign.objects.exists()


def test_form_refuses_both_goals(client, platform_admin, track):
    client.force_login(platform_admin)
    check = make_check("both")
    response = client.post("/soundcheck/campaigns/new/", form_data(track, rule_check=check.pk))
    assert "Check: Choose a track level or a check as the goal, not both." in response.content.decode()
    assert not Campaign.objects.exists()


def test_owners_may_not_create_or_edit(client, alice, campaign):
    client.force_login(alice)
    assert client.get("/soundcheck/campaigns/new/").status_code == 403
    assert (
        client.post("/soundcheck/campaigns/silver/edit/", form_data(campaign.track, name="Hijacked")).status_code == 403
    )
    campaign.refresh_from_db()
    assert campaign.name == "Silver"
    assert "New campaign" not in client.get("/soundcheck/campaigns/").content.decode()


def test_anonymous_is_sent_to_sign_in(client, campaign):
    assert client.get("/soundcheck/campaigns/new/").status_code == 302


def test_campaigns_from_a_repository_are_not_edited_here(client, platform_admin, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(source="repository", source_location="git://x/soundcheck.yaml")
    client.force_login(platform_admin)
    response = client.get("/soundcheck/campaigns/silver/edit/")
    assert response.status_code == 403
    assert (
        'href="/soundcheck/campaigns/silver/edit/"' not in client.get("/soundcheck/campaigns/silver/").content.decode()
    )


def test_campaign_admin_uses_the_form(client, platform_admin, campaign):
    client.force_login(platform_admin)
    page = client.get(f"/admin/soundcheck/campaign/{campaign.pk}/change/").content.decode()
    assert 'name="filter_owner"' in page
    assert re.search(r"Gold|Silver", client.get("/admin/soundcheck/campaign/").content.decode())


def test_laggard_missing_from_the_catalog_counts_for_its_recorded_owner(campaign):
    track_result(campaign.track, "component:default/gone", 0, B)
    teams, count = laggard_teams(campaign)
    assert count == 3
    assert [lag.entity_ref for lag in teams[0].laggards] == ["component:default/cart", "component:default/gone"]
    assert teams[0].owner_ref == B and teams[0].email == "team-b@example.com"
