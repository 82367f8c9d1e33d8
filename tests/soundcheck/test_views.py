"""The overview and the team, system and organisation views: counts, trend, leaderboard, shortfalls."""

from __future__ import annotations

import re

import pytest

from soundcheck.reports import replay_levels
from tests.soundcheck.factories import at, make_check, make_track, track_result

pytestmark = pytest.mark.django_db

A, A1, B = "group:default/team-a", "group:default/team-a1", "group:default/team-b"


@pytest.fixture
def basics(organisation):
    track = make_track("basics", levels=(("Bronze", [make_check()]), ("Silver", [make_check()])))
    track_result(track, "component:default/web", 2, A, history=((30, 1), (5, 2)))
    track_result(track, "component:default/docs-site", 0, A)
    track_result(track, "component:default/cart", 1, B, history=((10, 1),))
    track_result(track, "component:default/lib", 1, A1, history=((2, 1),))
    return track


def more_entities(track, owner: str, size: int, level: int = 1) -> None:
    for index in range(size):
        track_result(track, f"component:default/extra-{owner[-1]}-{index}", level, owner, history=((3, level),))


def rows(page: str, table_class: str) -> list[list[str]]:
    table = re.search(rf'<table class="{table_class}">(.*?)</table>', page, re.S).group(1)
    body = table.split("<tbody>")[1]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def test_overview_counts_certified_per_level(reader, basics):
    page = reader.get("/soundcheck/").content.decode()
    assert rows(page, "sc-levels-table") == [["L1 Bronze", "3", "75%"], ["L2 Silver", "1", "25%"]]
    assert "4 entities measured." in page


def test_overview_leaderboard_ranks_teams(reader, basics):
    page = reader.get("/soundcheck/").content.decode()
    board = rows(page, "sc-board")
    # team-a: levels 2 and 0, mean 1 of 2 = 50%; team-b and team-a1: level 1 of 2 = 50%, one entity each.
    assert [row[1] for row in board] == ["Team A", "Team A1", "Team B"]
    assert board[0] == ["1", "Team A", "2", "50%", "50%", "50%"]
    assert '<a href="/soundcheck/teams/default/team-a/"><bdi>Team A</bdi></a>' in page


def test_overview_links_to_the_other_views(reader, basics):
    page = reader.get("/soundcheck/").content.decode()
    assert 'href="/soundcheck/organisations/default/org/"><bdi>The Org</bdi></a>' in page
    assert 'href="/soundcheck/systems/default/shop/">shop</a>' in page
    assert 'href="/soundcheck/campaigns/"' in page


def test_overview_shows_one_track_at_a_time_with_a_list_of_them_all(reader, basics):
    security = make_track("security", levels=(("Bronze", [make_check()]),), name="Security")
    track_result(security, "component:default/web", 1, A)
    page = reader.get("/soundcheck/").content.decode()
    assert '<strong class="chip current" aria-current="page">Basics</strong>' in page
    assert '<a class="chip" href="?track=security">Security</a>' in page
    assert 'id="sc-basics-heading"' in page and 'id="sc-security-heading"' not in page
    picked = reader.get("/soundcheck/", {"track": "security"}).content.decode()
    assert 'id="sc-security-heading"' in picked and 'id="sc-basics-heading"' not in picked
    # An unknown key shows the first track rather than nothing.
    assert 'id="sc-basics-heading"' in reader.get("/soundcheck/", {"track": "nope"}).content.decode()


def test_overview_without_results(reader, organisation):
    assert "No results yet" in reader.get("/soundcheck/").content.decode()


def test_pages_need_sign_in_without_anonymous_read(client, basics, settings):
    settings.API_ANONYMOUS_READ = False
    for url in ("/soundcheck/", "/soundcheck/teams/default/team-a/", "/soundcheck/campaigns/"):
        assert client.get(url).status_code == 302


def test_team_view_lists_shortfalls_with_owners(reader, basics):
    page = reader.get("/soundcheck/teams/default/team-a/").content.decode()
    assert rows(page, "sc-levels-table") == [["L1 Bronze", "1", "50%"], ["L2 Silver", "1", "50%"]]
    assert rows(page, "sc-shortfalls") == [["docs-site", "L0", "Bronze", "Team A"]]
    assert 'href="/catalog/component/default/docs-site/soundcheck/"' in page
    assert 'part of <a href="/soundcheck/organisations/default/org/"><bdi>The Org</bdi></a>' in page


def test_team_view_with_child_teams(reader, basics):
    page = reader.get("/soundcheck/teams/default/team-a/?children=1").content.decode()
    assert "3 entities measured." in page
    assert [row[0] for row in rows(page, "sc-shortfalls")] == ["docs-site", "lib"]


def test_team_view_leaderboard_is_of_child_teams(reader, basics):
    board = rows(reader.get("/soundcheck/teams/default/team-a/").content.decode(), "sc-board")
    assert [row[1] for row in board] == ["Team A1"]


def test_team_view_trend_from_history(reader, basics):
    page = reader.get("/soundcheck/teams/default/team-a/").content.decode()
    # The history starts 30 days ago: the chart starts there, not 90 days back with zeros.
    assert "last 31 days. 31 days from" in page and "now L1 Bronze 1, L2 Silver 1." in page


def test_unknown_team_is_404(reader, organisation):
    assert reader.get("/soundcheck/teams/default/nobody/").status_code == 404
    assert reader.get("/soundcheck/systems/default/nothing/").status_code == 404
    assert reader.get("/soundcheck/organisations/default/nothing/").status_code == 404


def test_system_view_covers_its_parts(reader, basics):
    page = reader.get("/soundcheck/systems/default/shop/").content.decode()
    assert "2 entities measured." in page
    assert rows(page, "sc-shortfalls") == [["cart", "L1", "Silver", "Team B"]]


def test_organisation_view_ranks_every_group(reader, basics):
    page = reader.get("/soundcheck/organisations/default/org/").content.decode()
    assert "organisation of 4 groups" in page
    assert [row[1] for row in rows(page, "sc-board")] == ["Team A", "Team A1", "Team B"]


def test_replay_counts_each_level_at_the_end_of_each_day():
    changes = [("a", 1, at(3)), ("b", 2, at(2)), ("a", 2, at(1)), ("b", 0, at(1, hour=13))]
    points = replay_levels(changes, [1, 2], at(4).date(), at(0).date())
    assert [(point.counts[1], point.counts[2]) for point in points] == [(0, 0), (1, 0), (2, 1), (1, 1), (1, 1)]


# --- query counts ---------------------------------------------------------------------------------

# Per page: tracks and levels (2), counts (1), trend (1), leaderboard and its owners (2), shortfalls
# (1 per track) and their names (1). The overview lists no shortfalls but the organisations (2), the
# systems, the campaign count and the measured tracks (the one-track picker); the team view adds its group,
# the tree walk (one per level plus the
# last empty one), the organisation chain and its name; the organisation view its root and tree walk.
PINS = {
    "/soundcheck/": 11,
    "/soundcheck/teams/default/team-a/": 13,
    "/soundcheck/teams/default/team-a/?children=1": 13,
    "/soundcheck/systems/default/shop/": 10,
    "/soundcheck/organisations/default/org/": 12,
}


@pytest.mark.parametrize("size", [5, 10])
@pytest.mark.parametrize(("url", "count"), PINS.items())
def test_query_count_does_not_grow_with_entities(reader, basics, django_assert_num_queries, url, count, size):
    more_entities(basics, A, size)
    more_entities(basics, A1, size, level=2)
    with django_assert_num_queries(count):
        assert reader.get(url).status_code == 200
