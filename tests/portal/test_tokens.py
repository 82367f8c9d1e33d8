"""Issuing, checking and revoking API tokens: the service, the command and the admin."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.models import ApiToken
from portal.services.tokens import LAST_USED_RESOLUTION, authenticate_token, issue_token, revoke_token

pytestmark = pytest.mark.django_db

TOKEN_PATTERN = re.compile(r"grn_[A-Za-z0-9_-]{43}")


def test_issued_token_is_prefixed_random_and_long(alice):
    token, plain = issue_token(alice, "laptop")

    assert TOKEN_PATTERN.fullmatch(plain)
    assert token.prefix == plain[:12]
    assert (token.user, token.name, token.expires_at, token.revoked_at) == (alice, "laptop", None, None)


def test_issued_tokens_differ(alice):
    assert issue_token(alice, "one")[1] != issue_token(alice, "two")[1]


def test_stores_only_the_digest_of_the_token(alice):
    token, plain = issue_token(alice, "laptop")

    stored = ApiToken.objects.values().get(pk=token.pk)
    assert stored["digest"] == hashlib.sha256(plain.encode()).hexdigest()
    assert all(plain not in str(value) for value in stored.values())


def test_authenticates_issued_token(alice):
    token, plain = issue_token(alice, "laptop")

    found = authenticate_token(plain)

    assert found == token
    assert found.user == alice


def test_refuses_unknown_token(alice):
    issue_token(alice, "laptop")

    assert authenticate_token("grn_" + "x" * 43) is None


def test_refuses_malformed_token_without_a_query(alice, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert authenticate_token("not-a-token") is None


def test_refuses_revoked_token(alice):
    token, plain = issue_token(alice, "laptop")

    revoke_token(token)

    assert authenticate_token(plain) is None
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_revoking_twice_keeps_first_revocation_time(alice):
    token, _ = issue_token(alice, "laptop")
    revoke_token(token)
    first = token.revoked_at

    revoke_token(ApiToken.objects.get(pk=token.pk))

    assert ApiToken.objects.get(pk=token.pk).revoked_at == first


def test_refuses_expired_token(alice):
    _, plain = issue_token(alice, "laptop", expires_at=timezone.now() - timedelta(seconds=1))

    assert authenticate_token(plain) is None


def test_accepts_token_before_its_expiry(alice):
    token, plain = issue_token(alice, "laptop", expires_at=timezone.now() + timedelta(days=1))

    assert authenticate_token(plain) == token


def test_refuses_token_of_inactive_user(alice):
    _, plain = issue_token(alice, "laptop")
    alice.is_active = False
    alice.save()

    assert authenticate_token(plain) is None


def test_records_last_use_at_most_once_a_minute(alice, settings, django_assert_num_queries):
    settings.API_TOKEN_CACHE_SECONDS = 0
    token, plain = issue_token(alice, "laptop")

    with django_assert_num_queries(2):
        authenticate_token(plain)
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    with django_assert_num_queries(1):
        authenticate_token(plain)

    assert first_use is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first_use


def test_records_last_use_again_after_a_minute(alice):
    token, plain = issue_token(alice, "laptop")
    stale = timezone.now() - LAST_USED_RESOLUTION
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)

    authenticate_token(plain)

    assert ApiToken.objects.get(pk=token.pk).last_used_at > stale


def test_usable_excludes_revoked_and_expired_tokens(alice):
    usable, _ = issue_token(alice, "usable")
    revoke_token(issue_token(alice, "revoked")[0])
    issue_token(alice, "expired", expires_at=timezone.now() - timedelta(seconds=1))

    assert list(ApiToken.objects.usable()) == [usable]


# --- manage.py issue_token ---------------------------------------------------------------------


def issue(*args: str) -> tuple[str, str]:
    stdout, stderr = StringIO(), StringIO()
    call_command("issue_token", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_command_prints_only_the_token(alice):
    stdout, _ = issue("alice", "--name", "ci")

    plain = stdout.removesuffix("\n")
    assert TOKEN_PATTERN.fullmatch(plain)
    token = authenticate_token(plain)
    assert (token.user, token.name) == (alice, "ci")


def test_command_reports_on_stderr(alice):
    stdout, stderr = issue("alice", "--name", "ci")

    assert stderr == f"issued API token {stdout[:12]}… 'ci' for 'alice'\n"


def test_command_refuses_unknown_user():
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        issue("nobody")

    assert not ApiToken.objects.exists()


def test_command_creates_service_account(django_user_model):
    stdout, stderr = issue("deploy-bot", "--create-user")

    user = django_user_model.objects.get(username="deploy-bot")
    assert not user.has_usable_password()
    assert authenticate_token(stdout.strip()).user == user
    assert stderr.startswith("created service account 'deploy-bot'\n")


def test_command_sets_expiry(alice):
    before = timezone.now()

    stdout, _ = issue("alice", "--expires-days", "30")

    expires_at = authenticate_token(stdout.strip()).expires_at
    assert before + timedelta(days=30) <= expires_at <= timezone.now() + timedelta(days=30)


def test_command_refuses_non_positive_expiry(alice):
    with pytest.raises(CommandError, match="--expires-days must be a positive number"):
        issue("alice", "--expires-days", "0")

    assert not ApiToken.objects.exists()


def test_command_refuses_inactive_user(alice):
    alice.is_active = False
    alice.save()

    with pytest.raises(CommandError, match="user 'alice' is inactive"):
        issue("alice")

    assert not ApiToken.objects.exists()


# --- admin -------------------------------------------------------------------------------------


def test_admin_add_shows_the_token_once(client, curator, service_account):
    client.force_login(curator)

    response = client.post(
        "/admin/portal/apitoken/add/",
        {"user": service_account.pk, "name": "ci", "expires_at_0": "", "expires_at_1": ""},
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = TOKEN_PATTERN.findall(response.content.decode())
    assert len(set(shown)) == 1
    token = ApiToken.objects.get()
    assert authenticate_token(shown[0]) == token
    assert (token.user, token.name) == (service_account, "ci")
    for page in ("/admin/portal/apitoken/", f"/admin/portal/apitoken/{token.pk}/change/"):
        assert shown[0] not in client.get(page).content.decode()


def test_admin_list_tells_tokens_apart_by_prefix(client, curator, alice):
    token, plain = issue_token(alice, "laptop")
    client.force_login(curator)

    page = client.get("/admin/portal/apitoken/").content.decode()

    assert token.prefix in page
    assert plain not in page


def test_admin_revoke_action(client, curator, alice):
    token, plain = issue_token(alice, "laptop")
    other, other_plain = issue_token(alice, "kept")
    client.force_login(curator)

    response = client.post("/admin/portal/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True)

    assert response.status_code == 200
    assert "1 API token(s) revoked" in response.content.decode()
    assert authenticate_token(plain) is None
    assert authenticate_token(other_plain) == other


def test_admin_change_cannot_alter_owner(client, curator, alice, service_account):
    token, _ = issue_token(alice, "laptop")
    client.force_login(curator)

    client.post(
        f"/admin/portal/apitoken/{token.pk}/change/",
        {"user": service_account.pk, "name": "renamed", "expires_at_0": "", "expires_at_1": ""},
    )

    token.refresh_from_db()
    assert (token.user, token.name) == (alice, "renamed")


def test_admin_add_form_asks_for_owner_name_and_expiry(client, curator):
    client.force_login(curator)

    response = client.get("/admin/portal/apitoken/add/")

    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields) == ["user", "name", "expires_at"]


# --- Remembered checks: a token reused within API_TOKEN_CACHE_SECONDS costs no query ----------


class _Clock:
    """Stands in for time.monotonic in portal.services.tokens."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch, settings):
    settings.API_TOKEN_CACHE_SECONDS = 5
    fake = _Clock()
    monkeypatch.setattr("portal.services.tokens.time.monotonic", fake)
    return fake


def test_token_reused_soon_after_is_checked_without_a_query(alice, clock, django_assert_num_queries):
    token, plain = issue_token(alice, "ci")
    assert authenticate_token(plain) == token  # the first check reads the token and writes last_used_at

    with django_assert_num_queries(0):
        again = authenticate_token(plain)

    assert again == token and again.user == alice


def test_remembered_token_is_checked_again_after_the_configured_seconds(alice, clock):
    token, plain = issue_token(alice, "ci")
    authenticate_token(plain)
    # Another process revokes it (no signal reaches this one).
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    assert authenticate_token(plain) == token  # still trusted within the 5 seconds
    clock.now += 5.01
    assert authenticate_token(plain) is None


def test_revoking_in_this_process_takes_effect_at_once(alice, clock):
    token, plain = issue_token(alice, "ci")
    authenticate_token(plain)

    revoke_token(token)

    assert authenticate_token(plain) is None


def test_deactivating_the_user_in_this_process_takes_effect_at_once(alice, clock):
    _, plain = issue_token(alice, "ci")
    authenticate_token(plain)

    alice.is_active = False
    alice.save()

    assert authenticate_token(plain) is None


def test_remembered_token_still_expires_on_time(alice, clock, monkeypatch):
    _, plain = issue_token(alice, "ci", expires_at=timezone.now() + timedelta(seconds=2))
    authenticate_token(plain)
    later = timezone.now() + timedelta(seconds=3)
    monkeypatch.setattr("portal.services.tokens.timezone.now", lambda: later)

    assert authenticate_token(plain) is None


def test_zero_seconds_turns_remembering_off(alice, clock, settings, django_assert_num_queries):
    settings.API_TOKEN_CACHE_SECONDS = 0
    _, plain = issue_token(alice, "ci")
    authenticate_token(plain)

    with django_assert_num_queries(1):
        authenticate_token(plain)


def test_each_check_returns_its_own_copy_of_the_user(alice, clock):
    _, plain = issue_token(alice, "ci")
    first = authenticate_token(plain)
    first.user._perm_cache = {"catalog.delete_entity"}  # what a permission check would cache

    second = authenticate_token(plain)

    assert second.user == alice and not hasattr(second.user, "_perm_cache")
