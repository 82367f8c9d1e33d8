"""Account events in the audit log: sign-ins, sign-outs, failed sign-ins, account and token edits."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from portal.models import ApiToken, AuditEvent
from portal.services.tokens import issue_token

pytestmark = pytest.mark.django_db

PASSWORD = "alice-password-1"


@pytest.fixture
def alice_account():
    return get_user_model().objects.create_user("alice", email="alice@example.com", password=PASSWORD)


@pytest.fixture
def root_client(client):
    root = get_user_model().objects.create_superuser("root", password="root-password-1")
    client.force_login(root)
    AuditEvent.objects.all().delete()
    return client


def _events() -> list[tuple[str, str, str, str]]:
    return list(AuditEvent.objects.order_by("id").values_list("actor", "channel", "action", "target"))


def test_sign_in_is_recorded_as_the_account(client, alice_account):
    assert client.post("/accounts/login/", {"login": "alice", "password": PASSWORD}).status_code == 302
    assert _events() == [("alice", "ui", "account.sign_in", "account:alice")]


def test_failed_sign_in_records_the_name_tried(client, alice_account):
    assert client.post("/accounts/login/", {"login": "alice", "password": "wrong"}).status_code == 200
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.target, event.user) == (
        "anonymous",
        "account.sign_in_failed",
        "account:alice",
        None,
    )
    assert "wrong" not in str(event.details)


def test_sign_out_is_recorded(client, alice_account):
    client.force_login(alice_account)
    assert client.post("/accounts/logout/").status_code == 302
    assert _events() == [("alice", "ui", "account.sign_out", "account:alice")]


def test_sign_in_made_by_code_is_no_event(client, alice_account):
    client.force_login(alice_account)
    assert client.get("/").status_code == 200
    assert _events() == []


def test_sign_up_is_one_event(client, settings):
    settings.SIGN_UP_OPEN = True
    form = {
        "email": "eve@example.com",
        "username": "eve",
        "password1": "long-password-9",
        "password2": "long-password-9",
    }
    assert client.post("/accounts/signup/", form).status_code == 302
    # The visitor is not signed in yet when the account is made: the target names the new account.
    assert _events() == [("anonymous", "ui", "account.sign_up", "account:eve")]


def test_password_change_is_one_event(client, alice_account):
    client.force_login(alice_account)
    form = {"oldpassword": PASSWORD, "password1": "new-password-77", "password2": "new-password-77"}
    assert client.post("/accounts/password/change/", form).status_code == 302
    assert _events() == [("alice", "ui", "account.password_change", "account:alice")]


def test_admin_account_edit_is_one_event_without_the_password(root_client, alice_account):
    response = root_client.post(
        f"/admin/auth/user/{alice_account.pk}/change/",
        {
            "username": "alice",
            "email": "alice@new.example.com",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "groups": [],
            "user_permissions": [],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get()
    assert (event.actor, event.channel, event.action, event.target) == (
        "root",
        "admin",
        "account.update",
        "account:alice",
    )
    assert "email" in event.details["fields"]


def test_admin_password_change_is_one_event(root_client, alice_account):
    form = {"password1": "set-by-admin-42", "password2": "set-by-admin-42", "usable_password": "true"}
    response = root_client.post(f"/admin/auth/user/{alice_account.pk}/password/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    alice_account.refresh_from_db()
    assert alice_account.check_password("set-by-admin-42")
    assert _events() == [("root", "admin", "account.password_set_by_admin", "account:alice")]


def test_admin_account_delete_is_one_event(root_client, alice_account):
    assert root_client.post(f"/admin/auth/user/{alice_account.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not get_user_model().objects.filter(username="alice").exists()
    assert _events() == [("root", "admin", "account.delete", "account:alice")]


def test_admin_group_add_is_one_event(root_client):
    assert root_client.post("/admin/auth/group/add/", {"name": "curators", "permissions": []}).status_code == 302
    assert Group.objects.filter(name="curators").exists()
    assert _events() == [("root", "admin", "group.create", "group:curators")]


def test_admin_token_rename_and_delete_are_one_event_each(root_client, alice_account):
    token, _ = issue_token(alice_account, "ci")
    AuditEvent.objects.all().delete()
    response = root_client.post(f"/admin/portal/apitoken/{token.pk}/change/", {"name": "ci for shop", "expires_at": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert ApiToken.objects.get(pk=token.pk).name == "ci for shop"
    assert root_client.post(f"/admin/portal/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    target = f"token:{token.prefix}"
    assert _events() == [("root", "admin", "token.update", target), ("root", "admin", "token.delete", target)]
    assert AuditEvent.objects.get(action="token.update").details == {"user": "alice", "name": "ci for shop"}
