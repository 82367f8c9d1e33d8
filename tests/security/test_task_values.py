"""Template values that no database can store are refused with the field named, never a server error.

PostgreSQL's ``jsonb`` refuses a NUL character and a lone UTF-16 surrogate (``DataError``, a 500);
SQLite stores them. Either way the run is refused before anything is stored. Run on PostgreSQL too
(``DATABASE_URL``) to see the error a 500 used to hide.
"""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from portal.services.tokens import issue_token
from scaffolder.models import Task
from scaffolder.parameters import FieldError
from scaffolder.services import TaskValidationError, create_task
from tests.scaffolder.conftest import load_entity, write_template
from tests.scaffolder.form_client import FormWalk
from tests.scaffolder.templates import template

pytestmark = pytest.mark.django_db

UNSTORABLE = "holds a NUL character or a lone UTF-16 surrogate, which cannot be stored"


@pytest.fixture
def stored_template(tmp_path):
    properties = {"name": {"title": "Name", "type": "string"}, "labels": {"type": "object"}}
    (entity,) = load_entity(write_template(tmp_path / "tpl", template([{"properties": properties}], name="values"), {}))
    return entity


@pytest.fixture
def api(django_user_model) -> APIClient:
    _, raw = issue_token(django_user_model.objects.create_user("alice", password="alice-password-1"), "ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.parametrize("value", ["a\x00b", "a\ud800b"], ids=["nul", "lone-surrogate"])
def test_the_tasks_api_refuses_an_unstorable_value_naming_the_field(api, stored_template, value):
    body = {"templateRef": stored_template.ref, "values": {"name": value}}
    # json.dumps escapes both as \u0000 / \ud800: valid JSON text, as a client would send it.
    response = api.post("/api/scaffolder/v2/tasks", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    # The same words whichever layer refuses it first (the body parser or the task service).
    assert f".name {UNSTORABLE}" in response.content.decode()
    assert Task.objects.count() == 0


def test_a_nested_value_and_a_key_are_named(stored_template, django_user_model):
    user = django_user_model.objects.create_user("bob")
    with pytest.raises(TaskValidationError) as refused:
        create_task(stored_template, {"name": "ok", "labels": {"team": ["x", "y\x00"], "a\x00": "b"}}, user)
    assert refused.value.errors == [
        FieldError("labels", f"has a key that {UNSTORABLE}"),
        FieldError("labels.team.1", UNSTORABLE),
    ]
    assert Task.objects.count() == 0


def test_the_create_form_refuses_a_nul_next_to_its_field(client, stored_template, django_user_model):
    client.force_login(django_user_model.objects.create_user("alice"))
    walk = FormWalk(client, "/create/templates/default/values/")
    walk.post("next", name="a\x00b")
    assert walk.response.status_code == 200
    assert walk.field_error("name") == f"Name {UNSTORABLE}"
    assert Task.objects.count() == 0
