"""Personas for the token tests: alice signs in, ``ci-bot`` is a service account, curator is staff."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def service_account(django_user_model):
    return django_user_model.objects.create_user("ci-bot")


@pytest.fixture
def curator(django_user_model):
    user = django_user_model.objects.create_user("curator", password="curator-password-1", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="portal"))
    return user
