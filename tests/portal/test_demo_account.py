"""The demo sign-in that ``scripts/portal`` prints on a fresh install."""

from __future__ import annotations

import io
import re
from unittest import mock

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from portal.management.commands import serve
from portal.services.demo_account import create_demo_admin

pytestmark = pytest.mark.django_db


def test_a_fresh_install_gets_one_demo_admin_whose_password_signs_in():
    password = create_demo_admin()
    assert password and len(password) >= 12
    user = authenticate(username="demo", password=password)
    assert user is not None and user.is_superuser and user.is_staff
    assert create_demo_admin() is None, "a second start must not make or reset the account"
    assert get_user_model().objects.count() == 1


def test_no_demo_account_beside_real_ones():
    get_user_model().objects.create_user("alice", password="x" * 16)
    assert create_demo_admin() is None
    assert not get_user_model().objects.filter(username="demo").exists()


def _serve(**options) -> str:
    out = io.StringIO()
    with (
        mock.patch.object(serve.subprocess, "Popen") as popen,
        mock.patch.object(serve.Command, "_wait"),
        mock.patch.object(serve, "call_command") as commands,
    ):
        popen.return_value.poll.return_value = None
        call_command("serve", no_worker=True, stdout=out, **options)
    assert any(call.args[0] == "migrate" for call in commands.call_args_list)
    return out.getvalue()


def test_serve_prints_the_demo_sign_in_once(settings):
    settings.CATALOG = {**settings.CATALOG, "LOAD_DEMO": True}
    first = _serve()
    match = re.search(r"as 'demo' with the password (\S+)", first)
    assert match, first
    assert authenticate(username="demo", password=match.group(1)) is not None
    assert "/accounts/login/" in first
    assert "password" not in _serve(), "the password is shown only on the start that made the account"


def test_serve_without_the_demo_makes_no_account(settings):
    settings.CATALOG = {**settings.CATALOG, "LOAD_DEMO": True}
    assert "password" not in _serve(no_demo=True)
    assert not get_user_model().objects.exists()


def test_serve_turns_the_demo_publisher_on_for_the_processes_it_starts(settings, monkeypatch):
    settings.CATALOG = {**settings.CATALOG, "LOAD_DEMO": True}
    monkeypatch.delenv("SCAFFOLDER_DEMO_PUBLISHER", raising=False)
    _serve()
    assert serve.os.environ["SCAFFOLDER_DEMO_PUBLISHER"] == "true"


def test_serve_keeps_the_demo_publisher_off_when_the_operator_says_so(settings, monkeypatch):
    settings.CATALOG = {**settings.CATALOG, "LOAD_DEMO": True}
    monkeypatch.setenv("SCAFFOLDER_DEMO_PUBLISHER", "false")
    _serve()
    assert serve.os.environ["SCAFFOLDER_DEMO_PUBLISHER"] == "false"


def test_serve_without_the_demo_leaves_the_demo_publisher_off(settings, monkeypatch):
    settings.CATALOG = {**settings.CATALOG, "LOAD_DEMO": True}
    monkeypatch.delenv("SCAFFOLDER_DEMO_PUBLISHER", raising=False)
    _serve(no_demo=True)
    assert "SCAFFOLDER_DEMO_PUBLISHER" not in serve.os.environ
