"""The ${{ }} engine: Nunjucks semantics Backstage templates rely on, and the sandbox's refusals."""

from __future__ import annotations

import pytest

from scaffolder.templating import (
    RenderLimitExceeded,
    SandboxViolation,
    TemplateError,
    is_truthy,
    names_read,
    render_string,
    render_tree,
    render_value,
)

CONTEXT = {
    "parameters": {
        "name": "svc",
        "port": 8080,
        "tags": ["a", "b"],
        "flag": False,
        "repoUrl": "github.com?owner=acme&repo=svc",
        "nested": {"owner": "group:default/team-a"},
    },
    "steps": {"publish": {"output": {"remoteUrl": "https://example.com/acme/svc"}}},
    "user": {"ref": "user:default/alice", "entity": {"spec": {"profile": {"email": "a@example.com"}}}},
}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${{ parameters.port }}", 8080),
        ("${{ parameters.tags }}", ["a", "b"]),
        ("${{ parameters.flag }}", False),
        ("${{ parameters.nested }}", {"owner": "group:default/team-a"}),
        (" ${{ parameters.port }} ", 8080),
        ("port-${{ parameters.port }}", "port-8080"),
        ("${{ parameters.name }}-${{ parameters.port }}", "svc-8080"),
        ("plain text", "plain text"),
    ],
)
def test_a_lone_expression_keeps_its_json_type(source, expected):
    assert render_value(source, CONTEXT) == expected


@pytest.mark.parametrize(
    "source", ["${{ parameters.missing }}", "${{ parameters.missing.deeper.still }}", "${{ nope }}"]
)
def test_undefined_lookups_render_empty_and_become_absent(source):
    assert render_value(source, CONTEXT) is None
    assert render_string("x" + source.replace("${{", "{{"), CONTEXT, cookiecutter=True) == "x"


def test_undefined_inside_text_renders_empty():
    assert render_value("${{ values.destination.owner }}/${{ values.destination.repo }}", {}) == "/"


def test_empty_results_drop_keys_from_a_tree():
    rendered = render_tree({"a": "${{ parameters.missing }}", "b": "${{ parameters.name }}", "c": None}, CONTEXT)
    assert rendered == {"b": "svc", "c": None}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('${{ parameters.name === "svc" }}', True),
        ("${{ parameters.flag !== true }}", True),
        ('${{ parameters.name !== "svc" }}', False),
        ('${{ "a === b" }}', "a === b"),
        ("${{ 'x !== y' }}", "x !== y"),
        ("${{ parameters.missing === null }}", False),
        ("${{ parameters.flag !== null }}", True),
    ],
)
def test_javascript_equality_operators_work_outside_string_literals(source, expected):
    assert render_value(source, CONTEXT) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${{ parameters.repoUrl | parseRepoUrl }}", {"host": "github.com", "owner": "acme", "repo": "svc"}),
        ("${{ (parameters.repoUrl | parseRepoUrl).owner }}", "acme"),
        ("${{ parameters.repoUrl | projectSlug }}", "acme/svc"),
        (
            "${{ parameters.nested.owner | parseEntityRef }}",
            {"kind": "group", "namespace": "default", "name": "team-a"},
        ),
        (
            "${{ 'team-b' | parseEntityRef({'defaultKind': 'group', 'defaultNamespace': 'ops'}) }}",
            {"kind": "group", "namespace": "ops", "name": "team-b"},
        ),
        ("${{ parameters | pick('nested.owner') }}", "group:default/team-a"),
        ("${{ parameters | pick('tags.1') }}", "b"),
        ("${{ parameters.tags | dump }}", '["a", "b"]'),
        ("${{ parameters.name | upper }}", "SVC"),
        ("${{ 'A B' | lower | replace(' ', '-') }}", "a-b"),
        ("${{ parameters.tags | join(',') }}", "a,b"),
        ("${{ parameters.tags | length }}", 2),
        ("${{ parameters.tags.length }}", 2),
        ("${{ parameters.missing | default('fallback') }}", "fallback"),
        ("${{ '  x ' | trim }}", "x"),
        ("${{ parameters.name if parameters.flag else 'other' }}", "other"),
        ("${{ user.entity.spec.profile.email }}", "a@example.com"),
        ("${{ steps['publish'].output.remoteUrl }}", "https://example.com/acme/svc"),
        ("{% if parameters.port > 80 %}high{% else %}low{% endif %}", "high"),
        ("{%- for tag in parameters.tags %}[${{ tag }}]{%- endfor %}", "[a][b]"),
    ],
)
def test_backstage_and_nunjucks_filters(source, expected):
    assert render_value(source, CONTEXT) == expected


def test_parse_repo_url_without_repo_is_an_error():
    with pytest.raises(TemplateError, match="missing repo"):
        render_value("${{ 'github.com?owner=acme' | parseRepoUrl }}", CONTEXT)


@pytest.mark.parametrize(
    "source",
    [
        "${{ parameters.__class__ }}",
        "${{ ''.__class__.__mro__ }}",
        "${{ parameters.name.__class__.mro() }}",
        "${{ (1).__class__ }}",
        "${{ parameters['__class__'] }}",
        "${{ parameters.name.format }}",
        "${{ '{0.__class__}'.format(parameters) }}",
        "${{ '%s' % parameters }}",
        "${{ parameters.tags._private }}",
        "{% for x in parameters.tags %}${{ x.__init__.__globals__ }}{% endfor %}",
        "${{ parameters.name.mro }}",
    ],
)
def test_sandbox_escapes_are_refused_with_a_clear_error(source):
    with pytest.raises(SandboxViolation, match="not allowed"):
        render_value(source, CONTEXT)


@pytest.mark.parametrize("source", ["${{ lipsum() }}", "${{ cycler }}", "${{ self }}", "${{ config }}"])
def test_no_jinja_globals_leak_into_templates(source):
    assert render_value(source, CONTEXT) in (None, "")


def test_python_methods_of_data_are_not_reachable():
    assert render_value("${{ parameters.items }}", CONTEXT) is None
    assert render_value("${{ parameters.tags.append }}", CONTEXT) is None


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}",
        "${{ 'x' * 100000000 }}",
        "{% set a = 'x' * 1000000 %}{% set b = a ~ a %}{% set c = b ~ b %}${{ c ~ c }}",
        "${{ range(100000000) | list }}",
        "${{ 10 ** 100000 }}",
        "{% macro f() %}${{ f() }}{% endmacro %}${{ f() }}",
    ],
)
def test_runaway_templates_are_stopped(source):
    with pytest.raises(RenderLimitExceeded):
        render_value(source, CONTEXT)


def test_output_size_is_limited():
    with pytest.raises(RenderLimitExceeded, match="limit"):
        render_string("{% for i in range(5000) %}0123456789{% endfor %}", {}, max_chars=1000)


def test_syntax_errors_name_the_line():
    with pytest.raises(TemplateError, match="line 2"):
        render_value("ok\n${{ parameters.name | }}", CONTEXT)


def test_cookiecutter_mode_uses_plain_braces_and_jsonify():
    text = render_string(
        "{{ cookiecutter.name }} {{ cookiecutter.tags | jsonify }}",
        {"cookiecutter": {"name": "n", "tags": [1]}},
        cookiecutter=True,
    )
    assert text == "n [1]"


@pytest.mark.parametrize(
    ("value", "expected"), [([], False), ([0], True), ({}, True), ("", False), ("false", True), (0, False)]
)
def test_truthiness_follows_javascript_except_empty_arrays(value, expected):
    assert is_truthy(value) is expected


@pytest.mark.parametrize(
    ("source", "names"),
    [
        ("${{ parameters.flag and each.value !== 'b' }}", {"parameters", "each"}),
        ("{% if steps.a.output.ok %}yes{% endif %}", {"steps"}),
        ("{% for each in parameters.tags %}${{ each }}{% endfor %}", {"parameters"}),  # a loop variable, not read
        ("plain text", set()),
    ],
)
def test_names_read_lists_the_context_names_a_string_uses(source, names):
    assert names_read(source) == names
