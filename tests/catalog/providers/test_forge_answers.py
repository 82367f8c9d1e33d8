"""Hostile or broken forge answers: each fails the run with a clear message, or skips one entity."""

from __future__ import annotations

import socket

import pytest

from catalog.providers import forge_http
from catalog.providers.base import ProviderError
from catalog.providers.github_discovery import providers_from_config as github_providers
from catalog.providers.gitlab import providers_from_config as gitlab_providers

from .replay import GITHUB_TOKEN, GITLAB_TOKEN, use_config

ORG_REPOS = "GET /orgs/acme/repos?per_page=100&type=all"


@pytest.fixture
def github(github_replay, settings, tmp_path):
    use_config(settings, github_replay.app_config(tmp_path, host="github.com", token=GITHUB_TOKEN))
    return github_replay


def discover():
    [provider] = github_providers({"main": {"organization": "acme"}}, path="catalog.providers.github")
    return provider.read()


def failure() -> str:
    with pytest.raises(ProviderError) as raised:
        discover()
    return str(raised.value)


def test_a_listing_that_is_not_a_list_recorded_replay(github):
    github.overrides[ORG_REPOS] = (200, {}, {"repositories": []})

    assert failure() == "github.com answered /orgs/acme/repos with dict, not a list"


def test_an_answer_that_is_not_json_recorded_replay(github):
    github.overrides[ORG_REPOS] = (200, {}, b"<html>maintenance</html>")

    assert failure() == "github.com answered with something that is not JSON"


def test_a_redirect_is_not_followed_recorded_replay(github):
    github.overrides[ORG_REPOS] = (301, {"Location": "http://169.254.169.254/latest/meta-data/"}, {"message": "Moved"})

    assert failure() == "github.com answered 301 to GET /api/v3/orgs/acme/repos: Moved"
    assert github.asked == [ORG_REPOS]


def test_an_answer_over_the_size_limit_recorded_replay(github, monkeypatch):
    monkeypatch.setattr(forge_http, "MAX_RESPONSE_BYTES", 1000)

    assert failure() == "an answer from github.com is larger than 1000 bytes"


def test_endless_pagination_stops_recorded_replay(github, monkeypatch):
    monkeypatch.setattr(forge_http, "MAX_PAGES", 5)
    github.overrides[ORG_REPOS] = (
        200,
        {"Link": f'<{github.base}/orgs/acme/repos?per_page=100&type=all>; rel="next"'},
        [],
    )

    assert failure() == "github.com listed more than 5 pages for /orgs/acme/repos; refusing to go on"
    assert github.asked == [ORG_REPOS] * 5


def test_a_token_echoed_by_the_forge_is_cut_from_the_message_recorded_replay(github):
    github.overrides[ORG_REPOS] = (500, {}, {"message": f"internal error for Bearer {GITHUB_TOKEN}"})

    assert failure() == "github.com answered 500 to GET /api/v3/orgs/acme/repos: internal error for Bearer ***"


def test_an_unreachable_api_names_the_host_only(github_replay, settings, tmp_path):
    config = github_replay.app_config(tmp_path, host="github.com", token=GITHUB_TOKEN)
    config.write_text(config.read_text().replace(github_replay.base, "http://127.0.0.1:9/api/v3"))
    use_config(settings, config)

    message = failure()
    assert message.startswith("could not reach the github.com API: ")
    assert GITHUB_TOKEN not in message


def test_a_member_that_makes_no_valid_entity_is_skipped_and_named_recorded_replay(gitlab_replay, settings, tmp_path):
    use_config(settings, gitlab_replay.app_config(tmp_path, host="gitlab.acme.test", token=GITLAB_TOKEN))
    members = gitlab_replay.bodies["group-13-members.json"]
    gitlab_replay.bodies["group-13-members.json"] = [*members, {**members[0], "username": "not a name!"}]
    entry = {"host": "gitlab.acme.test", "group": "acme", "orgEnabled": True}
    [_discovery, org] = gitlab_providers({"acme": entry}, path="catalog.providers.gitlab")

    output = org.read()

    assert "User:carol" in {f"{entity['kind']}:{entity['metadata']['name']}" for entity in output.entities}
    assert len(output.entities) == 9
    assert output.notes[1].startswith("skipped User 'not a name!': metadata.name: ")


def test_connects_to_the_checked_address_not_to_a_second_dns_answer_recorded_replay(
    github_replay, settings, tmp_path, monkeypatch
):
    # The API is named forge.replay.test; its first DNS answer is the replay, any later one is
    # 127.0.0.2, where nothing listens: only a client that connects to the checked address succeeds.
    github_replay.base = github_replay.base.replace("127.0.0.1", "forge.replay.test")
    use_config(settings, github_replay.app_config(tmp_path, host="github.com", token=GITHUB_TOKEN))
    lookups = []
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "forge.replay.test":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        return real("127.0.0.1" if len(lookups) == 1 else "127.0.0.2", port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)

    assert len(discover().entities) == 299
    assert lookups == ["forge.replay.test"]
