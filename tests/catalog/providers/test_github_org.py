"""GitHub org data (``catalog.providers.githubOrg``) read against recorded GitHub API replays."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from catalog.formats.validation import validate_entity
from catalog.providers.base import ProviderError
from catalog.providers.github_org import providers_from_config

from .replay import GITHUB_TOKEN, use_config

PATH = "catalog.providers.githubOrg"
ENTRY = {"id": "acme", "githubUrl": "https://github.com", "orgs": ["acme"]}


@pytest.fixture(scope="module")
def app_key() -> tuple[rsa.RSAPrivateKey, str]:
    """A GitHub App's RSA key and its PEM text, as GitHub hands it out."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return key, pem.decode()


@pytest.fixture
def configured(github_replay, settings, tmp_path):
    use_config(settings, github_replay.app_config(tmp_path, host="github.com", token=GITHUB_TOKEN))
    return github_replay


def read(value=None):
    [provider] = providers_from_config(value or [ENTRY], path=PATH)
    return provider.read()


def by_ref(output) -> dict[str, dict]:
    refs = {}
    for entity in output.entities:
        metadata = entity["metadata"]
        refs[f"{entity['kind'].lower()}:{metadata.get('namespace', 'default')}/{metadata['name']}"] = entity
    return refs


def test_teams_become_nested_groups_with_members_recorded_replay(configured):
    entities = by_ref(read())

    assert sorted(ref for ref in entities if ref.startswith("group:")) == [
        "group:acme/platform",
        "group:acme/platform-infra",
        "group:acme/platform-oncall",
        "group:acme/web",
    ]
    assert entities["group:acme/platform-infra"] == {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": {
            "name": "platform-infra",
            "namespace": "acme",
            "description": "Clusters and networks",
            "annotations": {
                "github.com/team-slug": "acme/platform-infra",
                "backstage.io/edit-url": "https://github.com/orgs/acme/teams/platform-infra/edit",
                "backstage.io/managed-by-location": "url:https://github.com/acme",
                "backstage.io/managed-by-origin-location": "url:https://github.com/acme",
            },
        },
        "spec": {
            "type": "team",
            "profile": {
                "displayName": "Platform Infra",
                "picture": "https://avatars.githubusercontent.com/t/9001?s=116&v=4",
            },
            "children": ["platform-oncall"],
            "members": ["default/bob-k", "default/erin-sre"],
            "parent": "platform",
        },
    }
    assert "parent" not in entities["group:acme/platform"]["spec"]
    assert entities["group:acme/platform"]["spec"]["children"] == ["platform-infra"]


def test_members_become_users_with_profiles_and_teams_recorded_replay(configured):
    entities = by_ref(read())

    assert sorted(ref for ref in entities if ref.startswith("user:")) == [
        "user:default/alice-w",
        "user:default/bob-k",
        "user:default/carol",
        "user:default/dmitri",
        "user:default/erin-sre",
    ]
    assert entities["user:default/alice-w"]["metadata"]["description"] == "Platform lead"
    assert entities["user:default/alice-w"]["metadata"]["annotations"]["github.com/user-login"] == "alice-w"
    assert entities["user:default/alice-w"]["spec"] == {
        "profile": {
            "displayName": "Alice Walker",
            "email": "alice@acme.example",
            "picture": "https://avatars.githubusercontent.com/u/4100?v=4",
        },
        "memberOf": ["group:acme/platform", "group:acme/web"],
    }
    # carol has no name, email or bio on her profile: the fields are absent, not empty.
    assert entities["user:default/carol"]["spec"]["profile"] == {
        "picture": "https://avatars.githubusercontent.com/u/4102?v=4"
    }
    assert "description" not in entities["user:default/carol"]["metadata"]
    assert entities["user:default/erin-sre"]["spec"]["memberOf"] == [
        "group:acme/platform-infra",
        "group:acme/platform-oncall",
    ]


def test_org_entities_pass_the_catalog_validation_recorded_replay(configured):
    output = read()

    assert len(output.entities) == 9
    assert [error for entity in output.entities for error in validate_entity(entity)] == []


def test_follows_member_and_team_cursors_recorded_replay(configured):
    output = read()

    assert configured.asked == [
        'POST /graphql members {"cursor": null, "org": "acme"}',
        'POST /graphql members {"cursor": "Y3Vyc29yOnYyOm1lbWJlcnMtMw==", "org": "acme"}',
        'POST /graphql teams {"cursor": null, "org": "acme"}',
        'POST /graphql teamMembers {"cursor": "Y3Vyc29yOnYyOndlYi0y", "org": "acme", "team": "web"}',
    ]
    assert by_ref(output)["group:acme/web"]["spec"]["members"] == ["default/carol", "default/dmitri", "default/alice-w"]
    assert output.notes == ["read 4 teams and 5 members of acme in 4 requests"]


def test_a_member_gone_from_the_listing_is_gone_from_the_next_read_recorded_replay(configured):
    [provider] = providers_from_config([ENTRY], path=PATH)
    assert "user:default/dmitri" in by_ref(provider.read())

    page = configured.bodies["graphql-members-page-2.json"]["data"]["organization"]["membersWithRole"]
    page["nodes"] = [user for user in page["nodes"] if user["login"] != "dmitri"]
    entities = by_ref(provider.read())

    assert "user:default/dmitri" not in entities
    # Still listed by the team, as GitHub would until the team is edited; the relation just dangles.
    assert "default/dmitri" in entities["group:acme/web"]["spec"]["members"]


def test_unknown_organization_is_github_s_own_message_recorded_replay(configured):
    with pytest.raises(ProviderError) as raised:
        read([{**ENTRY, "orgs": ["nobody"]}])

    assert str(raised.value) == "github.com GraphQL: Could not resolve to an Organization with the login of 'nobody'."


def test_a_graphql_answer_without_the_connection_is_a_clear_error_recorded_replay(configured):
    configured.overrides['POST /graphql members {"cursor": null, "org": "acme"}'] = (200, {}, {"data": {}})

    with pytest.raises(ProviderError) as raised:
        read()
    assert str(raised.value) == "github.com gave no organization in its GraphQL answer"


def test_wrong_token_is_an_authentication_error_recorded_replay(github_replay, settings, tmp_path, caplog):
    wrong = "ghp_notTheRightOne0000000000000000000000"
    use_config(settings, github_replay.app_config(tmp_path, host="github.com", token=wrong))
    caplog.set_level(logging.DEBUG)

    with pytest.raises(ProviderError) as raised:
        read()

    assert str(raised.value) == "authentication failed for github.com (integration github[0])"
    assert wrong not in caplog.text


def test_no_integration_for_the_github_url_host(github_replay, settings, tmp_path):
    use_config(settings, github_replay.app_config(tmp_path, host="github.com", token=GITHUB_TOKEN))

    with pytest.raises(ProviderError, match=r"^configure an integration for ghe\.acme\.test "):
        read([{**ENTRY, "githubUrl": "https://ghe.acme.test"}])


def test_github_app_installation_token_is_used_recorded_replay(github_replay, settings, tmp_path, caplog, app_key):
    key, pem = app_key
    config = github_replay.app_config(tmp_path, host="github.com", apps=[{"appId": 1234, "privateKey": pem}])
    use_config(settings, config)
    github_replay.overrides["GET /orgs/acme/installation"] = (200, {}, {"id": 4242, "app_id": 1234})
    github_replay.overrides["POST /app/installations/4242/access_tokens"] = (
        201,
        {},
        {"token": GITHUB_TOKEN, "expires_at": "2026-12-07T14:00:00Z", "permissions": {"members": "read"}},
    )
    caplog.set_level(logging.DEBUG)

    output = read()

    assert len(output.entities) == 9
    assert github_replay.asked[:2] == ["GET /orgs/acme/installation", "POST /app/installations/4242/access_tokens"]
    jwt = github_replay.headers_seen[0]["authorization"].removeprefix("Bearer ")
    header, payload, signature = jwt.split(".")
    key.public_key().verify(
        base64.urlsafe_b64decode(signature + "=="),
        f"{header}.{payload}".encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    assert claims["iss"] == "1234" and claims["exp"] - claims["iat"] == 600
    assert github_replay.headers_seen[2]["authorization"] == f"Bearer {GITHUB_TOKEN}"
    assert jwt not in caplog.text and GITHUB_TOKEN not in caplog.text and "PRIVATE KEY" not in caplog.text


def test_github_app_not_installed_on_the_org_falls_back_to_the_token_recorded_replay(
    github_replay, settings, tmp_path, app_key
):
    _key, pem = app_key
    apps = [{"appId": 77, "privateKey": pem}]
    use_config(settings, github_replay.app_config(tmp_path, host="github.com", token=GITHUB_TOKEN, apps=apps))
    github_replay.overrides["GET /orgs/acme/installation"] = (404, {}, {"message": "Not Found"})

    assert len(read().entities) == 9
    assert github_replay.asked[0] == "GET /orgs/acme/installation"
    assert github_replay.headers_seen[1]["authorization"] == f"Bearer {GITHUB_TOKEN}"


def test_github_app_not_installed_and_no_token_is_a_clear_error_recorded_replay(
    github_replay, settings, tmp_path, app_key
):
    _key, pem = app_key
    use_config(settings, github_replay.app_config(tmp_path, host="github.com", apps=[{"appId": 77, "privateKey": pem}]))
    github_replay.overrides["GET /orgs/acme/installation"] = (404, {}, {"message": "Not Found"})

    with pytest.raises(ProviderError) as raised:
        read()
    assert str(raised.value) == "no GitHub App of integration github[0] is installed on acme"


def test_github_app_with_a_bad_key_is_a_clear_error(github_replay, settings, tmp_path):
    bad = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"
    use_config(settings, github_replay.app_config(tmp_path, host="github.com", apps=[{"appId": 9, "privateKey": bad}]))

    with pytest.raises(ProviderError) as raised:
        read()
    assert str(raised.value) == "the GitHub App 9 private key is not a PEM RSA key"


def test_single_entry_form_is_accepted():
    [provider] = providers_from_config(ENTRY, path=PATH)

    assert provider.provider_id == "githubOrg:acme"
    assert provider.orgs == ("acme",)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([{"githubUrl": "https://github.com", "orgs": ["a"]}], r"githubOrg\[0\]\.id is required"),
        ([{**ENTRY, "orgs": []}], r"githubOrg\[0\]\.orgs must list at least one organisation"),
        ([{**ENTRY, "orgs": "acme", "org": "x"}], r"githubOrg\[0\]\.org is not a known key"),
        ([{**ENTRY, "githubUrl": "github.com"}], r"githubOrg\[0\]\.githubUrl must be the forge's address"),
        ([{**ENTRY, "githubUrl": "https://github.com/acme"}], r"githubOrg\[0\]\.githubUrl must be the forge's address"),
        ([ENTRY, ENTRY], r"githubOrg\[1\]\.id 'acme' is used twice"),
        ("acme", r"catalog\.providers\.githubOrg must be a list"),
    ],
)
def test_refuses_bad_config_naming_the_key_path(value, message):
    with pytest.raises(ValueError, match=message):
        providers_from_config(value, path=PATH)
