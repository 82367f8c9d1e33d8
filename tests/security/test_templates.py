"""Templates: the sandbox hides Python internals, and rendering keeps to time and size limits."""

from __future__ import annotations

import time

import pytest

from scaffolder.secrets import redact
from scaffolder.templating import RenderLimitExceeded, SandboxViolation, TemplateError, render_string


@pytest.mark.parametrize(
    "source",
    [
        "${{ ''.__class__.__mro__[1].__subclasses__() }}",
        "${{ parameters.__class__ }}",
        "${{ parameters['__class__'] }}",
        "${{ ''.mro }}",
        "${{ 'x'.format }}",
        "${{ '{0.__class__}'.format(parameters) }}",
        "${{ '%s' % parameters }}",
        "${{ cycler.__init__.__globals__ }}",
        "${{ range.__self__ }}",
    ],
)
def test_internals_are_out_of_reach(source):
    with pytest.raises(TemplateError):
        render_string(source, {"parameters": {"name": "x"}})


@pytest.mark.parametrize(
    "source",
    [
        "${{ 9**(9**9) }}",
        "${{ (((9**64)**64)**64)**64 }}",
        "${{ 'x' * 100000000 }}",
        "${{ [1] * 100000000 }}",
        "{% for i in range(100000000) %}x{% endfor %}",
        "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}{% endfor %}",
    ],
)
def test_expensive_templates_stop_within_the_limits(source):
    started = time.monotonic()
    with pytest.raises(TemplateError) as raised:
        render_string(source, {}, seconds=1.0)
    assert time.monotonic() - started < 5
    assert isinstance(raised.value, RenderLimitExceeded | TemplateError)


def test_a_sandbox_violation_names_the_attribute():
    with pytest.raises(SandboxViolation, match="__class__"):
        render_string("${{ parameters.__class__ }}", {"parameters": {}})


def test_secrets_are_redacted_from_text_that_may_be_logged():
    assert redact("cloning with token ghp_secretvalue123", ["ghp_secretvalue123"]) == "cloning with token ***"
