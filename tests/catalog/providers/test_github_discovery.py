"""GitHub discovery (``catalog.providers.github``) read against recorded GitHub API replays."""

from __future__ import annotations

import hashlib
import json
import logging

import pytest

from catalog.formats.readers.targets import parse_git_target
from catalog.formats.validation import validate_entity
from catalog.providers.base import ProviderError
from catalog.providers.github_discovery import providers_from_config

from .replay import GITHUB_TOKEN, use_config

PATH = "catalog.providers.github"
TRUNK_TARGET = "https://github.com/acme/service-009/blob/trunk/catalog-info.yaml"
ORG_REPOS = "GET /orgs/acme/repos?per_page=100&type=all"


@pytest.fixture
def configured(github_replay, settings, tmp_path):
    use_config(settings, github_replay.app_config(tmp_path, host="github.com", token=GITHUB_TOKEN))
    return github_replay


def read(entry: dict, key: str = "main"):
    [provider] = providers_from_config({key: entry}, path=PATH)
    return provider.read()


def names(output) -> set[str]:
    return {entity["spec"]["target"].split("/")[4] for entity in output.entities}


ALL = {f"service-{number:03d}" for number in range(300)}


def test_lists_every_page_and_skips_the_archived_repository_recorded_replay(configured):
    output = read({"organization": "acme"})

    assert names(output) == ALL - {"service-042"}
    assert configured.asked == [
        ORG_REPOS,
        "GET /organizations/81234567/repos?page=2&per_page=100&type=all",
        "GET /organizations/81234567/repos?page=3&per_page=100&type=all",
    ]
    assert output.notes == ["read 300 repositories of acme on github.com, 299 matching, in 3 requests"]


def test_emits_valid_backstage_location_entities_recorded_replay(configured):
    output = read({"organization": "acme", "catalogPath": "/catalog-info.yaml"})

    by_name = {entity["spec"]["target"].split("/")[4]: entity for entity in output.entities}
    assert by_name["service-009"] == {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Location",
        "metadata": {
            "name": "generated-" + hashlib.sha1(f"url:{TRUNK_TARGET}".encode()).hexdigest(),
            "annotations": {
                "backstage.io/managed-by-location": f"url:{TRUNK_TARGET}",
                "backstage.io/managed-by-origin-location": f"url:{TRUNK_TARGET}",
            },
        },
        "spec": {
            "type": "url",
            "target": TRUNK_TARGET,
            "presence": "optional",
        },
    }
    assert [error for entity in output.entities for error in validate_entity(entity)] == []
    # The catalog's own reader takes each target: the clone URL, branch and path it names.
    target = parse_git_target(TRUNK_TARGET)
    assert (target.clone_url, target.branch, target.path) == (
        "https://github.com/acme/service-009.git",
        "trunk",
        "catalog-info.yaml",
    )
    assert all(parse_git_target(entity["spec"]["target"]).host == "github.com" for entity in output.entities)


def test_branch_filter_replaces_the_default_branch_recorded_replay(configured):
    output = read({"organization": "acme", "catalogPath": "docs/catalog.yaml", "filters": {"branch": "release"}})

    targets = {entity["spec"]["target"] for entity in output.entities}
    assert "https://github.com/acme/service-009/blob/release/docs/catalog.yaml" in targets
    assert all("/blob/release/docs/catalog.yaml" in target for target in targets)


def test_topic_include_and_exclude_with_exclude_winning_recorded_replay(configured):
    included = read({"organization": "acme", "filters": {"topic": {"include": ["backstage"]}}})
    both = read({"organization": "acme", "filters": {"topic": {"include": ["backstage"], "exclude": ["deprecated"]}}})

    assert names(included) == {f"service-{n:03d}" for n in range(0, 300, 2)} - {"service-042"}
    assert names(both) == {f"service-{n:03d}" for n in range(0, 300, 2) if n % 7} - {"service-042"}


def test_visibility_filter_recorded_replay(configured):
    output = read({"organization": "acme", "filters": {"visibility": ["public", "internal"]}})

    assert names(output) == {f"service-{n:03d}" for n in range(300) if n % 3 != 1} - {"service-042"}


def test_repository_pattern_is_anchored_at_both_ends_recorded_replay(configured):
    assert names(read({"organization": "acme", "filters": {"repository": "service-00[0-9]"}})) == {
        f"service-00{n}" for n in range(10)
    }
    assert names(read({"organization": "acme", "filters": {"repository": "ervice-001"}})) == set()


def test_forks_dropped_only_when_not_allowed_recorded_replay(configured):
    forks = {f"service-{n:03d}" for n in range(300) if n % 50 == 13}

    assert forks <= names(read({"organization": "acme"}))
    assert names(read({"organization": "acme", "filters": {"allowForks": False}})) == ALL - forks - {"service-042"}


def test_validate_locations_exist_skips_repositories_without_the_file_recorded_replay(configured):
    output = read({"organization": "acme", "validateLocationsExist": True})

    assert names(output) == ALL - {"service-042", "service-007"}
    assert "HEAD /repos/acme/service-009/contents/catalog-info.yaml?ref=trunk" in configured.asked
    assert len(configured.asked) == 3 + 299


def test_a_repository_removed_from_the_listing_is_gone_from_the_next_read_recorded_replay(configured):
    [provider] = providers_from_config({"main": {"organization": "acme"}}, path=PATH)
    assert "service-150" in names(provider.read())

    page = configured.bodies["org-repos-page-2.json"]
    configured.bodies["org-repos-page-2.json"] = [repo for repo in page if repo["name"] != "service-150"]

    assert names(provider.read()) == ALL - {"service-042", "service-150"}


def test_wrong_token_is_an_authentication_error_without_the_token_recorded_replay(
    github_replay, settings, tmp_path, caplog
):
    wrong = "ghp_wrongTOKENwrongTOKENwrongTOKEN000000"
    use_config(settings, github_replay.app_config(tmp_path, host="github.com", token=wrong))
    caplog.set_level(logging.DEBUG)

    with pytest.raises(ProviderError) as raised:
        read({"organization": "acme"})

    assert str(raised.value) == "authentication failed for github.com (integration github[0])"
    assert github_replay.headers_seen[0]["authorization"] == f"Bearer {wrong}"
    assert wrong not in caplog.text
    assert wrong not in repr(raised.value.__cause__) + repr(raised.value.__context__)


def test_the_token_never_reaches_entities_notes_or_log_recorded_replay(configured, caplog):
    caplog.set_level(logging.DEBUG)
    output = read({"organization": "acme", "validateLocationsExist": True})

    assert configured.headers_seen[0]["authorization"] == f"Bearer {GITHUB_TOKEN}"
    assert GITHUB_TOKEN not in json.dumps(output.entities) + json.dumps(output.notes)
    assert GITHUB_TOKEN not in caplog.text


def test_host_without_integration_asks_for_one(github_replay, settings, tmp_path):
    use_config(settings, github_replay.app_config(tmp_path, host="github.com", token=GITHUB_TOKEN))

    with pytest.raises(
        ProviderError, match=r"^configure an integration for ghe\.acme\.test \(under integrations\.github"
    ):
        read({"organization": "acme", "host": "ghe.acme.test"})
    assert github_replay.asked == []


def test_loopback_api_refused_unless_private_addresses_are_allowed(github_replay, settings, tmp_path):
    use_config(settings, github_replay.app_config(tmp_path, host="github.com", token=GITHUB_TOKEN))
    settings.CATALOG = {**settings.CATALOG, "ALLOW_PRIVATE_ADDRESSES": False}

    with pytest.raises(ProviderError, match=r"resolves to non-public address 127\.0\.0\.1; refusing"):
        read({"organization": "acme"})
    assert github_replay.asked == []


def test_pagination_link_to_another_origin_is_not_followed_recorded_replay(configured):
    configured.overrides[ORG_REPOS] = (
        200,
        {"Link": '<https://collector.example/steal?page=2>; rel="next"'},
        configured.bodies["org-repos-page-1.json"],
    )

    with pytest.raises(ProviderError, match="pagination link to another origin; refusing to follow it"):
        read({"organization": "acme"})
    assert configured.asked == [ORG_REPOS]


def test_rate_limit_is_reported_as_such_recorded_replay(configured):
    body = {"message": "API rate limit exceeded for installation ID 1.", "documentation_url": "https://docs.github.com"}
    configured.overrides[ORG_REPOS] = (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1796640000"}, body)

    with pytest.raises(ProviderError) as raised:
        read({"organization": "acme"})
    assert str(raised.value) == (
        "rate limit reached on github.com (integration github[0]); the limit resets at 1796640000 (epoch seconds)"
    )


def test_secondary_rate_limit_is_not_taken_for_bad_credentials_recorded_replay(configured):
    body = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}
    configured.overrides[ORG_REPOS] = (403, {"Retry-After": "60"}, body)

    with pytest.raises(ProviderError) as raised:
        read({"organization": "acme"})
    assert str(raised.value) == ("rate limit reached on github.com (integration github[0]); retry after 60 seconds")


def test_unknown_organization_is_a_clear_error_recorded_replay(configured):
    with pytest.raises(ProviderError, match=r"^github.com answered 404 to GET /api/v3/users/nobody/repos: Not Found$"):
        read({"organization": "nobody"})


def test_single_entry_form_is_the_default_provider():
    [provider] = providers_from_config(
        {"organization": "acme", "schedule": {"frequency": "PT30M", "timeout": {"minutes": 3}}}, path=PATH
    )

    assert provider.provider_id == "github:default"
    assert (provider.schedule.frequency_seconds, provider.schedule.timeout_seconds) == (1800, 180)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({}, r"catalog\.providers\.github\.main\.organization is required"),
        ({"organization": "acme", "filter": {}}, r"catalog\.providers\.github\.main\.filter is not a known key"),
        ({"organization": "acme", "filters": {"repository": "("}}, r"\.filters\.repository is not a valid regular"),
        (
            {"organization": "acme", "filters": {"visibility": ["secret"]}},
            r"\.filters\.visibility: 'secret' is not one",
        ),
        (
            {"organization": "acme", "filters": {"topic": {"include": "x", "only": []}}},
            r"\.filters\.topic\.only is not",
        ),
        ({"organization": "acme", "filters": {"allowForks": "no"}}, r"\.filters\.allowForks must be true or false"),
        (
            {"organization": "acme", "catalogPath": "**/catalog-info.yaml", "validateLocationsExist": True},
            r"\.catalogPath '\*\*/catalog-info\.yaml' has a wildcard",
        ),
        ({"organization": "acme", "schedule": {"frequency": {"cron": "* * * * *"}, "timeout": "PT1M"}}, r"cron"),
        ({"organization": "acme", "schedule": {"frequency": "PT30M"}}, r"\.main\.schedule\.timeout is required"),
        (
            {"organization": "acme", "schedule": {"frequency": "soon", "timeout": "PT1M"}},
            r"schedule\.frequency must be",
        ),
        ("acme", r"catalog\.providers\.github\.main must be a mapping"),
    ],
)
def test_refuses_bad_config_naming_the_key_path(entry, message):
    with pytest.raises(ValueError, match=message):
        providers_from_config({"main": entry}, path=PATH)
