"""Git push webhooks: verification, payload reading and the locations a push concerns."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from catalog.models import Location
from catalog.services import register_location, validate_location_spec
from catalog.services.webhooks import locations_for_push
from catalog.webhooks import (
    PayloadError,
    PushEvent,
    SignatureError,
    read_delivery,
    repository_key,
    verify,
)

from .webhook_payloads import (
    SECRET,
    SHA,
    gitea_push,
    github_push,
    github_signature,
    gitlab_push,
    signed_headers,
)


def url_location(target: str) -> Location:
    return register_location(validate_location_spec("url", target), trusted=True)


# --- Verification and payloads (no database) -----------------------------------------------


def test_github_signature_is_checked_over_the_raw_body():
    body = json.dumps(github_push()).encode()
    verify("github", {"X-Hub-Signature-256": github_signature(body)}, body, SECRET)
    with pytest.raises(SignatureError, match="does not match"):
        verify("github", {"X-Hub-Signature-256": github_signature(body)}, body + b" ", SECRET)


def test_github_signature_needs_the_sha256_prefix():
    body = b"{}"
    digest = github_signature(body).removeprefix("sha256=")
    with pytest.raises(SignatureError, match="sha256="):
        verify("github", {"X-Hub-Signature-256": f"sha1={digest}"}, body, SECRET)


def test_every_provider_compares_in_constant_time(monkeypatch):
    compared: list[str] = []
    real = hmac.compare_digest

    def spy(given, expected):
        compared.append("called")
        return real(given, expected)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    body = b"{}"
    for provider in ("github", "gitlab", "gitea"):
        verify(provider, signed_headers(provider, body), body, SECRET)
    assert compared == ["called", "called", "called"]


def test_forgejo_signature_header_is_accepted():
    body = json.dumps(gitea_push()).encode()
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-Forgejo-Event": "push", "X-Forgejo-Signature": digest}
    delivery = read_delivery(headers, body, SECRET)
    assert delivery.provider == "gitea"
    assert delivery.push is not None


def test_gitea_is_recognised_before_its_github_compatible_headers():
    body = json.dumps(gitea_push()).encode()
    delivery = read_delivery(signed_headers("gitea", body), body, SECRET)
    assert delivery.provider == "gitea"


def test_reads_github_push():
    body = json.dumps(github_push()).encode()
    push = read_delivery(signed_headers("github", body), body, SECRET).push
    assert push == PushEvent(
        repository_urls={
            "https://github.com/acme/shop.git",
            "https://github.com/acme/shop",
            "git@github.com:acme/shop.git",
            "git://github.com/acme/shop.git",
        },
        branch="main",
        commit=SHA,
        default_branch="main",
        provider="github",
        repository="acme/shop",
    )


def test_reads_gitlab_push_with_checkout_sha():
    body = json.dumps(gitlab_push(ref="refs/heads/feature/x")).encode()
    push = read_delivery(signed_headers("gitlab", body), body, SECRET).push
    assert push is not None
    assert push.branch == "feature/x"
    assert push.commit == SHA
    assert push.repository == "platform/team-a/shop"
    assert "git@gitlab.example.com:platform/team-a/shop.git" in push.repository_urls


def test_tag_push_is_ignored():
    body = json.dumps(github_push(ref="refs/tags/v1.2.0")).encode()
    delivery = read_delivery(signed_headers("github", body), body, SECRET)
    assert delivery.push is None
    assert delivery.reason == "the push moved no branch"


def test_push_without_repository_is_refused():
    payload = github_push()
    del payload["repository"]
    body = json.dumps(payload).encode()
    with pytest.raises(PayloadError, match="'repository'"):
        read_delivery(signed_headers("github", body), body, SECRET)


def test_signature_is_checked_before_the_body_is_parsed():
    with pytest.raises(SignatureError):
        read_delivery({"X-GitHub-Event": "push", "X-Hub-Signature-256": "sha256=00"}, b"not json", SECRET)


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/shop.git",
        "https://GitHub.com/Acme/Shop/",
        "git@github.com:acme/shop.git",
        "ssh://git@github.com:22/acme/shop.git",
        "git://github.com/acme/shop",
        "http://github.com/acme/shop.git",
    ],
)
def test_repository_spellings_share_one_key(url):
    assert repository_key(url) == "github.com/acme/shop"


@pytest.mark.parametrize("url", ["file:///srv/repos/shop.git", "/srv/repos/shop.git", "https://github.com/"])
def test_local_and_empty_repositories_have_no_key(url):
    assert repository_key(url) is None


# --- Matching locations ----------------------------------------------------------------------


def push_event(branch: str | None = "main", default_branch: str | None = "main", **kwargs) -> PushEvent:
    urls = kwargs.pop("urls", {"https://github.com/acme/shop.git", "git@github.com:acme/shop.git"})
    return PushEvent(urls, branch, SHA, default_branch=default_branch, **kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "https://github.com/acme/shop/blob/main/catalog-info.yaml",
        "https://github.com/acme/shop/tree/main/services",
        "https://github.com/acme/shop.git#main:catalog-info.yaml",
        "git@github.com:acme/shop.git#main:services/**/catalog-info.yaml",
        "ssh://git@github.com/Acme/Shop.git#main",
    ],
)
def test_push_matches_every_spelling_of_the_repository(target):
    location = url_location(target)
    assert locations_for_push(push_event()) == [location]


@pytest.mark.django_db
def test_push_matches_gitlab_and_gitea_web_urls():
    gitlab = url_location("https://gitlab.example.com/platform/team-a/shop/-/blob/main/catalog-info.yaml")
    gitea = url_location("https://git.example.com/acme/shop/src/branch/main/catalog-info.yaml")
    gitlab_event = push_event(urls={"https://gitlab.example.com/platform/team-a/shop.git"})
    gitea_event = push_event(urls={"ssh://git@git.example.com:2222/acme/shop.git"})
    assert locations_for_push(gitlab_event) == [gitlab]
    assert locations_for_push(gitea_event) == [gitea]


@pytest.mark.django_db
def test_push_to_another_branch_matches_nothing():
    url_location("https://github.com/acme/shop/blob/release/catalog-info.yaml")
    assert locations_for_push(push_event(branch="main")) == []


@pytest.mark.django_db
def test_push_to_another_repository_matches_nothing():
    url_location("https://github.com/acme/shop-frontend/blob/main/catalog-info.yaml")
    url_location("https://gitlab.example.com/acme/shop/-/blob/main/catalog-info.yaml")
    Location.objects.create(type="url", target="file:///srv/github.com/acme/shop.git#main")  # from settings
    assert locations_for_push(push_event()) == []


@pytest.mark.django_db
def test_branchless_target_matches_pushes_to_the_default_branch_only():
    location = url_location("https://github.com/acme/shop.git")
    assert locations_for_push(push_event(branch="main", default_branch="main")) == [location]
    assert locations_for_push(push_event(branch="feature", default_branch="main")) == []


@pytest.mark.django_db
def test_branchless_target_matches_any_branch_when_the_default_is_not_told():
    location = url_location("git@github.com:acme/shop.git")
    assert locations_for_push(push_event(branch="feature", default_branch=None)) == [location]
