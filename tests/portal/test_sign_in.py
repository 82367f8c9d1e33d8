"""Sign-in: local accounts through allauth's pages in the portal shell, providers from the environment."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from portal.adapters import trusted_email
from portal.sso import social_providers

pytestmark = pytest.mark.django_db

PASSWORD = "long-password-9"
SIGN_UP_FORM = {"email": "eve@example.com", "username": "eve", "password1": PASSWORD, "password2": PASSWORD}
GITLAB = {"AUTH_GITLAB_CLIENT_ID": "id", "AUTH_GITLAB_CLIENT_SECRET": "s"}
GITHUB = {"AUTH_GITHUB_CLIENT_ID": "gh-id", "AUTH_GITHUB_CLIENT_SECRET": "gh-secret"}


def test_sign_in_page_uses_the_portal_shell(client):
    response = client.get("/accounts/login/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "portal/greenroom.css" in page
    assert '<h1 id="sign-in-heading">Sign in to Greenroom</h1>' in page
    assert '<label for="id_login">Username or email</label>' in page
    assert "provider-list" not in page  # no provider configured, none shown


def test_catalog_pages_send_anonymous_people_to_the_sign_in_page(client):
    response = client.get("/catalog/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/catalog/"


@pytest.mark.parametrize("login", ["alice", "alice@example.com"])
def test_signs_in_with_username_or_email(client, login):
    get_user_model().objects.create_user("alice", email="alice@example.com", password="alice-password-1")
    response = client.post("/accounts/login/", {"login": login, "password": "alice-password-1"})
    assert response.status_code == 302
    assert client.get("/").context["user"].get_username() == "alice"


def test_wrong_password_is_refused_with_a_message(client):
    get_user_model().objects.create_user("alice", password="alice-password-1")
    response = client.post("/accounts/login/", {"login": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_sign_up_is_closed_by_default(client):
    response = client.post(
        "/accounts/signup/",
        SIGN_UP_FORM,
    )
    assert "Sign-up is closed" in response.content.decode()
    assert not get_user_model().objects.filter(username="eve").exists()
    assert "Create one" not in client.get("/accounts/login/").content.decode()


def test_sign_up_opens_with_the_switch(client, settings):
    settings.SIGN_UP_OPEN = True
    assert "Create one" in client.get("/accounts/login/").content.decode()
    response = client.post(
        "/accounts/signup/",
        SIGN_UP_FORM,
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(username="eve").email == "eve@example.com"


def test_user_menu_offers_sign_in_to_anonymous_people(client, settings):
    settings.API_ANONYMOUS_READ = True
    page = client.get("/catalog/").content.decode()
    assert 'href="/accounts/login/?next=/catalog/"' in page


def test_user_menu_shows_the_name_tokens_and_sign_out(client):
    user = get_user_model().objects.create_user("alice", first_name="Alice", last_name="Liddell")
    client.force_login(user)
    page = client.get("/").content.decode()
    assert "Alice Liddell</summary>" in page
    assert 'href="/accounts/tokens/"' in page
    assert 'action="/accounts/logout/"' in page


def test_sign_out_needs_a_post(client):
    client.force_login(get_user_model().objects.create_user("alice"))
    assert client.get("/accounts/logout/").status_code == 200  # a confirmation page, still signed in
    assert client.get("/").context["user"].is_authenticated
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_no_provider_without_environment():
    assert social_providers({}) == {}
    assert social_providers({"AUTH_GITHUB_CLIENT_ID": "only-an-id"}) == {}


def test_github_and_google_from_environment():
    providers = social_providers({**GITHUB, "AUTH_GOOGLE_CLIENT_ID": "g-id", "AUTH_GOOGLE_CLIENT_SECRET": "g-secret"})
    assert providers["github"]["APPS"] == [{"client_id": "gh-id", "secret": "gh-secret", "key": ""}]
    assert providers["google"]["APPS"][0]["client_id"] == "g-id"
    assert "user:email" in providers["github"]["SCOPE"]


def test_self_hosted_gitlab_url():
    providers = social_providers(
        {"AUTH_GITLAB_CLIENT_ID": "id", "AUTH_GITLAB_CLIENT_SECRET": "s", "AUTH_GITLAB_URL": "https://git.example.com/"}
    )
    assert providers["gitlab"]["APPS"][0]["settings"] == {"gitlab_url": "https://git.example.com"}


def test_openid_connect_with_its_issuer_and_name():
    providers = social_providers(
        {
            "AUTH_OIDC_CLIENT_ID": "id",
            "AUTH_OIDC_CLIENT_SECRET": "s",
            "AUTH_OIDC_SERVER_URL": "https://sso.example.com/realms/acme",
            "AUTH_OIDC_NAME": "Acme SSO",
        }
    )
    app = providers["openid_connect"]["APPS"][0]
    assert (app["provider_id"], app["name"]) == ("oidc", "Acme SSO")
    assert app["settings"] == {"server_url": "https://sso.example.com/realms/acme"}


def test_openid_connect_without_issuer_is_a_configuration_error():
    with pytest.raises(ValueError, match="AUTH_OIDC_SERVER_URL"):
        social_providers({"AUTH_OIDC_CLIENT_ID": "id", "AUTH_OIDC_CLIENT_SECRET": "s"})
    with pytest.raises(ValueError, match="AUTH_GITLAB_URL"):
        social_providers({**GITLAB, "AUTH_GITLAB_URL": "git.lan"})


def test_configured_providers_appear_on_the_sign_in_page(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = social_providers(
        {
            **GITHUB,
            "AUTH_OIDC_CLIENT_ID": "id",
            "AUTH_OIDC_CLIENT_SECRET": "s",
            "AUTH_OIDC_SERVER_URL": "https://sso.example.com",
        }
    )
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/github/login/?process=login">Sign in with GitHub</a>' in page
    assert 'href="/accounts/oidc/oidc/login/?process=login">Sign in with OpenID Connect</a>' in page
    assert "Google" not in page


def address(email: str, verified: bool) -> SimpleNamespace:
    return SimpleNamespace(email=email, verified=verified)


def test_only_verified_provider_emails_are_kept():
    assert trusted_email("ada@example.com", [address("ada@example.com", True)]) == "ada@example.com"
    assert trusted_email("ada@example.com", [address("ada@example.com", False)]) == ""
    claimed = [address("boss@example.com", False), address("me@x.org", True)]
    assert trusted_email("boss@example.com", claimed) == "me@x.org"
    assert trusted_email("", []) == ""


def test_profile_shows_the_catalog_user_entity_and_groups(client, org_catalog, alice):
    client.force_login(alice)
    page = client.get("/accounts/profile/").content.decode()
    assert '<dt>You are</dt><dd><bdi><a href="/catalog/user/default/alice/">alice</a></bdi></dd>' in page
    assert '<a href="/catalog/group/default/team-a/">team-a</a>' in page


def test_profile_explains_an_unresolved_account(client, org_catalog, reader):
    client.force_login(reader)
    page = client.get("/accounts/profile/").content.decode()
    assert "No catalog User entity matches this account" in page
