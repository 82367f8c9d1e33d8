"""Template parameter patterns: a backtracking regex cannot hold a worker, and RE2-less syntax is refused.

On a backtracking engine ``(a+)+$`` against forty ``a`` and a ``b`` takes longer than anyone waits,
so each check runs under a generous deadline, and a verdict that has not come by then fails the
test; the verdicts themselves are asserted, not the time taken. The deadline is a timer signal, not
a joined thread: Python's ``re`` keeps the GIL while it backtracks, so a waiting thread would never
get to notice, but it does stop for signals.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from portal.services.tokens import issue_token
from scaffolder.models import Task
from scaffolder.parameter_validation import validate_all
from scaffolder.parameters import FieldError
from tests.scaffolder.conftest import load_entity, write_template
from tests.scaffolder.form_client import FormWalk
from tests.scaffolder.templates import template

EVIL = "(a+)+$"
SLOW_INPUT = "a" * 40 + "b"
DEADLINE_SECONDS = 10


class NoVerdict(AssertionError):
    """The check was still running at the deadline."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise NoVerdict(f"no verdict after {seconds} s: the pattern backtracks")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def promptly(function: Callable[[], Any]) -> Any:
    """``function()``'s result; the test fails if it has none within the deadline."""
    with deadline(DEADLINE_SECONDS):
        return function()


def template_with(properties: dict[str, Any], name: str = "patterns") -> dict[str, Any]:
    return template({"properties": properties}, name=name)


def test_a_backtracking_pattern_gets_its_verdict_promptly():
    body = template_with({"name": {"type": "string", "pattern": EVIL}})
    errors = promptly(lambda: validate_all(body, {"name": SLOW_INPUT}))
    assert errors == [FieldError("name", f"must match the pattern {EVIL}")]
    assert promptly(lambda: validate_all(body, {"name": "a" * 40})) == []


def test_a_backtracking_pattern_property_gets_its_verdict_promptly():
    labels = {"type": "object", "patternProperties": {EVIL: {"type": "string"}}, "additionalProperties": False}
    body = template_with({"labels": labels})
    errors = promptly(lambda: validate_all(body, {"labels": {SLOW_INPUT: "x"}}))
    assert errors == [FieldError(f"labels.{SLOW_INPUT}", "is not a field of this form")]
    assert promptly(lambda: validate_all(body, {"labels": {"a" * 40: "x"}})) == []


def test_a_backtracking_property_names_pattern_gets_its_verdict_promptly():
    body = template_with({"labels": {"type": "object", "propertyNames": {"pattern": EVIL}}})
    errors = promptly(lambda: validate_all(body, {"labels": {SLOW_INPUT: "x"}}))
    assert errors == [FieldError("labels", f"must match the pattern {EVIL}")]


def test_a_backtracking_pattern_in_a_condition_gets_its_verdict_promptly():
    # if/then is evaluated to decide which fields the page shows, before validation proper.
    page = {
        "properties": {"name": {"type": "string"}},
        "if": {"properties": {"name": {"pattern": EVIL}}},
        "then": {"properties": {"extra": {"type": "string"}}, "required": ["extra"]},
    }
    body = template([page])
    assert promptly(lambda: validate_all(body, {"name": SLOW_INPUT})) == []
    assert promptly(lambda: validate_all(body, {"name": "aaa"})) == [FieldError("extra", "is required")]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [("^(?!admin)", "invalid perl operator: (?!"), (r"^(a)\1$", r"invalid escape sequence: \1")],
)
def test_a_pattern_re2_cannot_run_is_refused_naming_the_field(pattern, reason):
    body = template_with({"name": {"type": "string"}, "owner": {"type": "string", "pattern": pattern}})
    errors = promptly(lambda: validate_all(body, {"name": "x", "owner": "team"}))
    message = f"the template's pattern {pattern!r} cannot be used: {reason}"
    message += " (patterns run on RE2: no look-around or back-references)"
    assert errors == [FieldError("owner", message)]


@pytest.mark.django_db
def test_the_tasks_api_answers_a_backtracking_pattern_promptly(tmp_path, django_user_model):
    (template,) = load_entity(
        write_template(tmp_path / "tpl", template_with({"name": {"type": "string", "pattern": EVIL}}), {})
    )
    _, raw = issue_token(django_user_model.objects.create_user("alice", password="alice-password-1"), "ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"templateRef": template.ref, "values": {"name": SLOW_INPUT}}

    response = promptly(lambda: client.post("/api/scaffolder/v2/tasks", body, format="json"))

    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["property"] == "instance.name" and error["message"] == f"must match the pattern {EVIL}"
    assert Task.objects.count() == 0


@pytest.mark.django_db
def test_the_create_form_answers_a_backtracking_pattern_promptly(tmp_path, client, django_user_model):
    body = template_with({"name": {"title": "Name", "type": "string", "pattern": EVIL}}, name="form-patterns")
    load_entity(write_template(tmp_path / "tpl", body, {}))
    client.force_login(django_user_model.objects.create_user("alice"))
    walk = FormWalk(client, "/create/templates/default/form-patterns/")

    promptly(lambda: walk.post("next", name=SLOW_INPUT))

    assert walk.response.status_code == 200
    assert walk.field_error("name") == "Name is not in the expected format"
