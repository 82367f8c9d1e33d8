"""A refused ``pattern``: the API quotes it, the Create form says it in the field's own words."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from portal.services.tokens import issue_token
from scaffolder.models import Task
from scaffolder.parameter_validation import validate_all
from scaffolder.parameters import FieldError
from scaffolder.pattern_messages import fitting_example, pattern_form_message, ui_at

from .conftest import load_entity, write_template
from .form_client import FormWalk
from .templates import template

SLUG = "^[a-z][a-z0-9-]*$"


def refused(field: dict[str, Any], value: str) -> FieldError:
    body = template({"properties": {"slug": {"type": "string", "pattern": SLUG, **field}}})
    (error,) = validate_all(body, {"slug": value})
    return error


def test_the_api_message_keeps_the_pattern_and_the_form_message_does_not():
    error = refused({"ui:help": "Lowercase letters, digits and dashes."}, "Not OK")
    assert error == FieldError("slug", f"must match the pattern {SLUG}")
    assert error.form_message == "is not in the expected format: Lowercase letters, digits and dashes"
    assert error.for_form == error.form_message and SLUG not in error.for_form


def test_the_form_message_reads_the_description_when_there_is_no_help():
    error = refused({"description": "The repository's name"}, "Not OK")
    assert error.for_form == "is not in the expected format: The repository's name"


def test_help_wins_over_the_description():
    error = refused({"description": "Shown under the title", "ui:help": "Lowercase only"}, "X")
    assert error.for_form == "is not in the expected format: Lowercase only"


def test_an_example_the_pattern_accepts_is_offered():
    error = refused({"examples": ["Bad Example", "billing-api"]}, "Billing API")
    assert error.for_form == "is not in the expected format (for example billing-api)"


def test_a_placeholder_or_default_serves_as_the_example():
    assert refused({"ui:placeholder": "my-service"}, "X").for_form.endswith("(for example my-service)")
    assert refused({"default": "svc-1", "ui:help": "Lowercase"}, "X").for_form == (
        "is not in the expected format: Lowercase (for example svc-1)"
    )


def test_no_example_is_invented_when_none_fits():
    assert fitting_example({"examples": ["Not OK"], "default": 3}, {"ui:placeholder": "Your name"}, SLUG) == ""
    assert refused({"ui:placeholder": "Your name"}, "X").for_form == "is not in the expected format"


def test_a_long_help_text_is_cut():
    error = refused({"ui:help": "word " * 100}, "X")
    assert len(error.for_form) < 200 and error.for_form.endswith("…")


def test_a_nested_field_reads_its_own_help():
    body = template(
        {
            "properties": {
                "repo": {
                    "type": "object",
                    "properties": {"name": {"type": "string", "pattern": SLUG, "ui:help": "Lowercase name"}},
                }
            }
        }
    )
    (error,) = validate_all(body, {"repo": {"name": "Bad"}})
    assert error.field == "repo.name" and error.for_form == "is not in the expected format: Lowercase name"


def test_ui_at_follows_names_and_array_items():
    ui = {"repo": {"ui:help": "r", "name": {"ui:help": "n"}}, "tags": {"items": {"ui:help": "t"}}}
    assert ui_at(ui, ["repo", "name"]) == {"ui:help": "n"}
    assert ui_at(ui, ["tags", 0]) == {"ui:help": "t"}
    assert ui_at(ui, ["missing", "deeper"]) == {}


def test_other_refusals_say_the_same_to_both():
    (error,) = validate_all(template({"properties": {"n": {"type": "integer", "maximum": 3}}}), {"n": 9})
    assert error.form_message == "" and error.for_form == error.message == "must be at most 3"


def test_pattern_form_message_needs_no_template():
    assert pattern_form_message({}, {}, SLUG) == "is not in the expected format"


FORM_FIELD = {
    "title": "Service name",
    "type": "string",
    "pattern": SLUG,
    "ui:help": "Lowercase letters, digits and dashes",
    "examples": ["billing-api"],
}


@pytest.fixture
def named_template(tmp_path, db):
    (entity,) = load_entity(
        write_template(tmp_path / "tpl", template({"properties": {"slug": FORM_FIELD}}, name="named"), {})
    )
    return entity


def test_the_form_shows_the_readable_message(named_template, client, django_user_model):
    client.force_login(django_user_model.objects.create_user("alice"))
    walk = FormWalk(client, "/create/templates/default/named/")
    walk.post("next", slug="Billing API")
    expected = "Service name is not in the expected format: Lowercase letters, digits and dashes"
    expected += " (for example billing-api)"
    assert walk.field_error("slug") == expected
    assert SLUG not in walk.page.split('name="state"')[0]


def test_the_api_answers_the_same_refusal_with_the_pattern(named_template, django_user_model):
    _, raw = issue_token(django_user_model.objects.create_user("alice", password="alice-password-1"), "ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"templateRef": named_template.ref, "values": {"slug": "Billing API"}}
    response = client.post("/api/scaffolder/v2/tasks", body, format="json")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["message"] == f"must match the pattern {SLUG}"
    assert error["stack"] == f"instance.slug must match the pattern {SLUG}"
    assert Task.objects.count() == 0
