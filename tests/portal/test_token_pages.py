"""People create, list and revoke their own API tokens in the UI; the plain token is shown once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import ApiToken
from portal.services.tokens import authenticate_token, issue_token

pytestmark = pytest.mark.django_db


def test_token_pages_need_sign_in(client):
    assert client.get("/accounts/tokens/")["Location"] == "/accounts/login/?next=/accounts/tokens/"
    assert client.post("/accounts/tokens/", {"name": "ci"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_lists_only_own_tokens(client, alice, bob):
    issue_token(alice, "alice's CI")
    issue_token(bob, "bob's laptop")
    client.force_login(alice)
    page = client.get("/accounts/tokens/").content.decode()
    assert "alice&#x27;s CI" in page
    assert "bob&#x27;s laptop" not in page


def test_creates_a_token_and_shows_it_once(client, alice):
    client.force_login(alice)
    response = client.post("/accounts/tokens/", {"name": "CI for the shop"})
    plain = re.search(r'value="(grn_[A-Za-z0-9_-]{43})"', response.content.decode()).group(1)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = authenticate_token(plain)
    assert (token.user, token.name, token.expires_at) == (alice, "CI for the shop", None)
    assert plain not in client.get("/accounts/tokens/").content.decode()


def test_expiry_is_the_end_of_the_chosen_day(client, alice):
    client.force_login(alice)
    day = (timezone.now() + timedelta(days=30)).date()
    client.post("/accounts/tokens/", {"name": "short-lived", "expires_on": day.isoformat()})
    expires_at = ApiToken.objects.get().expires_at
    assert (expires_at.date(), expires_at.hour, expires_at.minute) == (day, 23, 59)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": "   "}, "This field is required."),
        ({"name": "x" * 101}, "Ensure this value has at most 100 characters"),
        ({"name": "ci", "expires_on": "2001-01-01"}, "The expiry date is in the past."),
        ({"name": "ci", "expires_on": "tomorrow"}, "Enter a valid date."),
    ],
)
def test_refuses_bad_input_naming_the_field(client, alice, data, message):
    client.force_login(alice)
    response = client.post("/accounts/tokens/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revokes_own_token(client, alice):
    token, plain = issue_token(alice, "ci")
    client.force_login(alice)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "is revoked" in response.content.decode()
    assert authenticate_token(plain) is None


def test_another_persons_token_is_not_found(client, alice, bob):
    token, plain = issue_token(bob, "bob's")
    client.force_login(alice)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    assert authenticate_token(plain) is not None


def test_revoke_needs_a_post(client, alice):
    token, plain = issue_token(alice, "ci")
    client.force_login(alice)
    assert client.get(f"/accounts/tokens/{token.pk}/revoke/").status_code == 405
    assert authenticate_token(plain) is not None


def test_token_list_costs_constant_queries(client, alice, django_assert_num_queries):
    client.force_login(alice)
    for count in (1, 4):
        ApiToken.objects.all().delete()
        for index in range(count):
            issue_token(alice, f"token {index}")
        with django_assert_num_queries(3):  # session, user, tokens
            client.get("/accounts/tokens/")
