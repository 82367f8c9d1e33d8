"""GitLab discovery and org (``catalog.providers.gitlab``) read against recorded GitLab API replays."""

from __future__ import annotations

import json
import logging

import pytest

from catalog.formats.readers.targets import parse_git_target
from catalog.formats.validation import validate_entity
from catalog.providers.base import ProviderError
from catalog.providers.gitlab import providers_from_config

from .replay import GITLAB_TOKEN, use_config

PATH = "catalog.providers.gitlab"
HOST = "gitlab.acme.test"
FIRST_PAGE = "GET /groups/acme/projects?include_subgroups=true&per_page=100"
ALL = set(range(250))


@pytest.fixture
def configured(gitlab_replay, settings, tmp_path):
    use_config(settings, gitlab_replay.app_config(tmp_path, host=HOST, token=GITLAB_TOKEN))
    return gitlab_replay


def providers(**entry):
    return providers_from_config({"acme": {"host": HOST, "group": "acme", **entry}}, path=PATH)


def discover(**entry):
    return providers(**entry)[0].read()


def numbers(output) -> set[int]:
    return {int(entity["spec"]["target"].split("/-/")[0].rsplit("-", 1)[1]) for entity in output.entities}


def test_discovers_projects_with_the_file_across_pages_recorded_replay(configured):
    output = discover()

    # 42 is archived, 77 is empty (its fallback branch has no file), 7 has no catalog-info.yaml.
    assert numbers(output) == ALL - {7, 42, 77}
    listed = [key for key in configured.asked if key.startswith("GET")]
    assert listed == [
        FIRST_PAGE,
        "GET /groups/acme/projects?include_subgroups=true&page=2&per_page=100",
        "GET /groups/acme/projects?include_subgroups=true&page=3&per_page=100",
    ]
    assert output.notes == [
        "read 250 projects of acme on gitlab.acme.test, 247 with catalog-info.yaml, in 252 requests"
    ]


def test_targets_use_the_default_branch_then_the_fallback_recorded_replay(configured):
    targets = {entity["spec"]["target"] for entity in discover().entities}

    assert "https://gitlab.acme.test/acme/platform/app-003/-/blob/develop/catalog-info.yaml" in targets
    assert "https://gitlab.acme.test/acme/web/app-150/-/blob/main/catalog-info.yaml" in targets
    assert "HEAD /projects/5077/repository/files/catalog-info.yaml?ref=master" in configured.asked
    assert "HEAD /projects/5003/repository/files/catalog-info.yaml?ref=develop" in configured.asked


def test_locations_pass_the_catalog_validation_recorded_replay(configured):
    output = discover()

    assert {entity["kind"] for entity in output.entities} == {"Location"}
    assert [error for entity in output.entities for error in validate_entity(entity)] == []
    targets = [parse_git_target(entity["spec"]["target"]) for entity in output.entities]
    assert {(target.host, target.style, target.path) for target in targets} == {(HOST, "gitlab", "catalog-info.yaml")}


def test_project_pattern_forks_archived_and_excluded_repos_recorded_replay(configured):
    forks = {n for n in ALL if n % 25 == 11}

    assert numbers(discover(projectPattern="^acme/web/")) == set(range(100, 200))
    assert numbers(discover(skipForkedRepos=True)) == ALL - {7, 42, 77} - forks
    assert numbers(discover(includeArchivedRepos=True)) == ALL - {7, 77}
    assert numbers(discover(excludeRepos=["acme/app-200", "/acme/web/app-101/"])) == ALL - {7, 42, 77, 200, 101}


def test_exclude_groups_skips_projects_under_them_recorded_replay(configured):
    assert numbers(discover(excludeGroups=["acme/web", "acme/platform/"])) == set(range(200, 250))


def test_topics_and_membership_are_asked_of_gitlab_recorded_replay(configured):
    asked = "GET /groups/acme/projects?include_subgroups=true&membership=true&per_page=100&topic=backstage%2Cgo"
    page = [project for project in configured.bodies["group-projects-page-1.json"] if project["topics"]]
    configured.overrides[asked] = (200, {}, page)

    output = discover(topics=["backstage", "go"], membership=True)

    assert configured.asked[0] == asked
    assert numbers(output) == {n for n in range(100) if n % 4 == 0}


def test_star_fallback_skips_projects_without_a_default_branch_recorded_replay(configured):
    discover(fallbackBranch="*")

    assert not any(key.startswith("HEAD /projects/5077/") for key in configured.asked)


def test_configured_branch_wins_recorded_replay(configured):
    output = discover(branch="main", catalogFile="catalog-info.yaml")

    # Nothing is recorded on main for the develop projects and the empty one: the forge says 404.
    assert numbers(output) == {n for n in ALL - {7, 42, 77} if n % 20 != 3}


def test_follows_x_next_page_when_there_is_no_link_header_recorded_replay(configured):
    route = configured.routes[FIRST_PAGE]
    headers = {name: value for name, value in route["headers"].items() if name != "Link"}
    configured.overrides[FIRST_PAGE] = (200, headers, configured.bodies[route["body"]])

    assert numbers(discover()) == ALL - {7, 42, 77}
    assert "GET /groups/acme/projects?include_subgroups=true&page=2&per_page=100" in configured.asked


def test_a_project_removed_from_the_listing_is_gone_from_the_next_read_recorded_replay(configured):
    [provider] = providers()
    assert 120 in numbers(provider.read())

    configured.bodies["group-projects-page-2.json"] = [
        project for project in configured.bodies["group-projects-page-2.json"] if project["path"] != "app-120"
    ]

    assert numbers(provider.read()) == ALL - {7, 42, 77, 120}


def test_org_groups_nest_and_users_carry_their_groups_recorded_replay(configured):
    discovery, org = providers(orgEnabled=True)
    output = org.read()
    entities = {f"{entity['kind']}:{entity['metadata']['name']}": entity for entity in output.entities}

    assert (discovery.provider_id, org.provider_id) == ("gitlab:acme", "gitlab:acme:org")
    assert sorted(entities) == [
        "Group:acme",
        "Group:platform",
        "Group:platform-sre",
        "Group:web",
        "User:alice",
        "User:bob",
        "User:carol",
        "User:erin",
        "User:owner-olga",
    ]
    assert entities["Group:platform-sre"]["spec"] == {
        "type": "team",
        "profile": {"displayName": "SRE"},
        "children": [],
        "parent": "platform",
    }
    assert entities["Group:platform-sre"]["metadata"]["annotations"] == {
        "gitlab.acme.test/team-path": "acme/platform/sre",
        "gitlab.acme.test/visibility": "internal",
        "backstage.io/managed-by-location": "url:https://gitlab.acme.test/groups/acme/platform/sre",
        "backstage.io/managed-by-origin-location": "url:https://gitlab.acme.test/groups/acme/platform/sre",
    }
    assert entities["Group:platform"]["spec"]["parent"] == "acme"
    assert entities["Group:platform"]["spec"]["children"] == ["platform-sre"]
    assert entities["Group:acme"]["spec"]["children"] == ["platform", "web"]
    assert "parent" not in entities["Group:acme"]["spec"]
    assert entities["User:bob"]["spec"]["memberOf"] == ["platform", "platform-sre"]
    assert entities["User:erin"]["spec"]["profile"] == {
        "displayName": "Erin Ochoa",
        "email": "erin@acme.example",
        "picture": "https://gitlab.acme.test/uploads/-/system/user/avatar/erin.png",
    }
    assert entities["User:carol"]["spec"]["profile"] == {
        "picture": "https://gitlab.acme.test/uploads/-/system/user/avatar/carol.png"
    }
    assert (
        entities["User:erin"]["metadata"]["annotations"]["gitlab.acme.test/user-login"]
        == "https://gitlab.acme.test/erin"
    )
    assert [error for entity in output.entities for error in validate_entity(entity)] == []


def test_org_user_and_group_patterns_recorded_replay(configured):
    [_discovery, org] = providers(orgEnabled=True, userPattern="^(alice|bob)$", groupPattern="^acme/platform")
    names = {f"{entity['kind']}:{entity['metadata']['name']}" for entity in org.read().entities}

    assert names == {"Group:platform", "Group:platform-sre", "User:alice", "User:bob"}


def test_wrong_token_is_an_authentication_error_without_the_token_recorded_replay(
    gitlab_replay, settings, tmp_path, caplog
):
    wrong = "glpat-wrongwrongwrong0000"
    use_config(settings, gitlab_replay.app_config(tmp_path, host=HOST, token=wrong))
    caplog.set_level(logging.DEBUG)

    for provider in providers(orgEnabled=True):
        with pytest.raises(ProviderError) as raised:
            provider.read()
        assert str(raised.value) == "authentication failed for gitlab.acme.test (integration gitlab[0])"
    assert gitlab_replay.headers_seen[0]["private-token"] == wrong
    assert wrong not in caplog.text


def test_rate_limit_is_reported_as_such_recorded_replay(configured):
    headers = {"RateLimit-Limit": "2000", "RateLimit-Remaining": "0", "RateLimit-Reset": "1796640000"}
    configured.overrides[FIRST_PAGE] = (429, headers, {"message": "Retry later"})

    with pytest.raises(ProviderError) as raised:
        discover()
    assert str(raised.value) == (
        "rate limit reached on gitlab.acme.test (integration gitlab[0]); the limit resets at 1796640000 (epoch seconds)"
    )


def test_the_token_never_reaches_entities_notes_or_log_recorded_replay(configured, caplog):
    caplog.set_level(logging.DEBUG)
    outputs = [provider.read() for provider in providers(orgEnabled=True)]

    text = json.dumps([output.entities for output in outputs]) + json.dumps([output.notes for output in outputs])
    assert configured.headers_seen[0]["private-token"] == GITLAB_TOKEN
    assert GITLAB_TOKEN not in text and GITLAB_TOKEN not in caplog.text


def test_host_without_integration_asks_for_one(gitlab_replay, settings, tmp_path):
    use_config(settings, gitlab_replay.app_config(tmp_path, host="other.gitlab.test", token=GITLAB_TOKEN))

    with pytest.raises(
        ProviderError, match=r"^configure an integration for gitlab\.acme\.test \(under integrations\.gitlab"
    ):
        discover()
    assert gitlab_replay.asked == []


def test_unknown_group_is_a_clear_error_recorded_replay(configured):
    [provider] = providers_from_config({"x": {"host": HOST, "group": "nobody/here"}}, path=PATH)

    with pytest.raises(
        ProviderError, match=r"^gitlab\.acme\.test answered 404 to GET /api/v4/groups/nobody%2Fhere/projects"
    ):
        provider.read()


def test_backstage_keys_not_acted_on_are_noted_recorded_replay(configured):
    output = discover(restrictUsersToGroup=True, relations=["INHERITED"])

    assert output.notes[1:] == [
        "catalog.providers.gitlab.acme.relations is not supported and was ignored",
        "catalog.providers.gitlab.acme.restrictUsersToGroup is not supported and was ignored",
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"group": "acme"}, r"catalog\.providers\.gitlab\.acme\.host is required"),
        ({"host": HOST, "orgEnabled": True}, r"catalog\.providers\.gitlab\.acme\.group is required with orgEnabled"),
        ({"host": HOST, "projectPattern": "[a-"}, r"\.acme\.projectPattern is not a valid regular expression"),
        ({"host": HOST, "skipForkedRepos": "yes"}, r"\.acme\.skipForkedRepos must be true or false"),
        ({"host": HOST, "excludeRepos": [1]}, r"\.acme\.excludeRepos must be a list of strings"),
        ({"host": HOST, "projectPatern": "x"}, r"\.acme\.projectPatern is not a known key"),
        ({"host": HOST, "schedule": {"frequency": {"minutes": -1}, "timeout": "PT1M"}}, r"frequency\.minutes must be"),
    ],
)
def test_refuses_bad_config_naming_the_key_path(entry, message):
    with pytest.raises(ValueError, match=message):
        providers_from_config({"acme": entry}, path=PATH)
