"""Signed-in accounts resolve to their catalog User entity, and "owned by me" to it and its groups."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from catalog.services import refresh_location, register_location, validate_location_spec
from portal.identity import ownership_refs, user_entity_ref

PEOPLE = """
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: ada
  annotations:
    github.com/user-login: ada-gh
spec:
  profile: {email: Ada@Example.com}
  memberOf: [team-b, team-a]
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: grace}
spec: {memberOf: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-b}
spec: {type: team, children: []}
"""

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(write_file):
    location = register_location(validate_location_spec("file", str(write_file("people.yaml", PEOPLE))), trusted=True)
    refresh_location(location)
    return location


def account(username: str, email: str = ""):
    return get_user_model().objects.create_user(username, email=email)


def test_email_matches_profile_email_case_insensitively(people):
    assert ownership_refs(account("someone", "ada@example.COM")) == [
        "user:default/ada",
        "group:default/team-a",
        "group:default/team-b",
    ]


def test_username_matches_user_entity_name(people):
    assert user_entity_ref(account("Grace")) == "user:default/grace"
    assert ownership_refs(account("grace2")) == []


def test_configured_annotation_wins(people, settings):
    settings.IDENTITY_ANNOTATION = "github.com/user-login"
    assert user_entity_ref(account("ada-gh")) == "user:default/ada"


def test_anonymous_and_unmatched_accounts_own_nothing(people):
    assert ownership_refs(AnonymousUser()) == []
    assert ownership_refs(None) == []
    assert user_entity_ref(account("nobody", "nobody@example.com")) is None


def test_answer_is_cached_per_request_and_follows_catalog_changes(
    people, write_file, django_assert_num_queries, django_capture_on_commit_callbacks
):
    user = account("ada", "")
    assert user_entity_ref(user) == "user:default/ada"
    with django_assert_num_queries(0):
        ownership_refs(user)
    # A refresh that changes memberships is seen by the next request (a new user object).
    write_file("people.yaml", PEOPLE.replace("memberOf: [team-b, team-a]", "memberOf: [team-a]"))
    with django_capture_on_commit_callbacks(execute=True):
        refresh_location(people)
    fresh = get_user_model().objects.get(pk=user.pk)
    assert ownership_refs(fresh) == ["user:default/ada", "group:default/team-a"]
