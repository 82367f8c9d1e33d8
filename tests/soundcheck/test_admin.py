"""The admin: a check's rule is edited as YAML and validated by the rule parser."""

from __future__ import annotations

import pytest

from soundcheck.models import Check, Fact

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="root-password-1"))
    return client


def post_check(client, rule: str):
    data = {"key": "has-owner", "name": "Has owner", "description": "", "rule": rule, "fail_message": "", "fix": ""}
    return client.post("/admin/soundcheck/check/add/", data)


def test_a_yaml_rule_is_parsed_and_stored_canonically(staff_client):
    response = post_check(staff_client, "all:\n  - {fact: ci.coverage, '>=': 60}\n")
    assert response.status_code == 302
    assert Check.objects.get().rule == {"all": [{"fact": "ci.coverage", "gte": 60}]}


def test_a_bad_rule_is_shown_on_the_field_and_not_saved(staff_client):
    response = post_check(staff_client, "all:\n  - {fact: a, exists: true}\n  - {fact: b, equal: 1}\n")
    assert response.status_code == 200
    assert "rule.all[1].fact: unknown operator" in response.content.decode()
    assert not Check.objects.exists()


def test_broken_yaml_is_shown_on_the_field(staff_client):
    response = post_check(staff_client, "{fact: [")
    assert response.status_code == 200
    assert "YAML syntax error" in response.content.decode()


def test_the_edit_form_shows_the_rule_as_yaml(staff_client):
    check = Check.objects.create(key="c", name="C", rule={"fact": "a", "exists": True})
    assert "fact: a" in staff_client.get(f"/admin/soundcheck/check/{check.pk}/change/").content.decode()


def test_facts_are_read_only(staff_client):
    from django.utils import timezone

    fact = Fact.objects.create(
        entity_ref="component:default/x", name="a", value=1, collector="api", collected_at=timezone.now()
    )
    assert staff_client.get("/admin/soundcheck/fact/add/").status_code == 403
    assert staff_client.post(f"/admin/soundcheck/fact/{fact.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Fact.objects.count() == 1
