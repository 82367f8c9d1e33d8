"""The rule language: parsing with paths in errors, each operator, combinators, ages, missing facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from soundcheck.rules import FactValue, RuleError, evaluate_rule, fact_names, parse_rule

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def facts(**values: object) -> dict[str, FactValue]:
    return {name.replace("__", "."): FactValue(value, NOW - timedelta(hours=1)) for name, value in values.items()}


def run(rule: dict, **values: object):
    return evaluate_rule(parse_rule(rule), facts(**values), NOW)


# --- parsing ---------------------------------------------------------------------------------


def test_unknown_operator_names_the_path():
    rule = {"all": [{"fact": "a", "exists": True}, {"fact": "b", "equal": 1}]}
    with pytest.raises(RuleError) as raised:
        parse_rule(rule)
    assert str(raised.value).startswith("rule.all[1].fact: unknown operator 'equal'")


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("owner", "rule: expected a mapping with 'fact', 'all', 'any' or 'not', got a string"),
        ({"facts": "x"}, "rule: expected 'fact', 'all', 'any' or 'not', found 'facts'"),
        ({"fact": "a"}, "rule.fact: no operator for fact 'a'"),
        ({"fact": "a b", "exists": True}, "rule.fact: expected a dotted fact name"),
        ({"fact": "a", ">=": "sixty"}, "rule.>=: expected a number, got 'sixty'"),
        ({"fact": "a", "exists": "yes"}, "rule.exists: expected true or false, got 'yes'"),
        ({"fact": "a", "in": []}, "rule.in: expected a non-empty list of values, got a list"),
        ({"fact": "a", "in": [[1]]}, "rule.in[0]: expected a string, number, boolean or null"),
        ({"fact": "a", "max_age": "a month"}, "rule.max_age: expected a duration like '30d'"),
        ({"fact": "a", "exists": True, "age_of": "value"}, "rule.age_of: only meaningful with max_age"),
        ({"fact": "a", "max_age": "1d", "age_of": "birth"}, "rule.age_of: expected 'value' or 'collected_at'"),
        ({"all": []}, "rule.all: expected a non-empty list of rules"),
        ({"any": {"fact": "a"}}, "rule.any: expected a non-empty list of rules, got a mapping"),
        ({"not": {"fact": "a", "exists": True}, "all": []}, "rule: 'all' must stand alone"),
        ({"not": {"any": [{"fact": "a", "lt": 1}, 3]}}, "rule.not.any[1]: expected a mapping"),
    ],
)
def test_refuses_bad_rules_with_the_path(rule, message):
    with pytest.raises(RuleError) as raised:
        parse_rule(rule)
    assert str(raised.value).startswith(message)


def test_refuses_rules_nested_too_deep():
    rule: dict = {"fact": "a", "exists": True}
    for _ in range(40):
        rule = {"not": rule}
    with pytest.raises(RuleError, match="nested deeper than 16"):
        parse_rule(rule)


def test_canonical_form_spells_operators_and_durations_one_way():
    parsed = parse_rule({"fact": "ci.coverage", ">=": 60, "<": 101})
    assert parsed == {"fact": "ci.coverage", "gte": 60, "lt": 101}
    assert parse_rule({"fact": "git.last_commit", "max_age": "2w"}) == {"fact": "git.last_commit", "max_age": 1209600}
    # The canonical form parses to itself, so stored rules can be re-validated.
    assert parse_rule(parsed) == parsed
    assert parse_rule(parse_rule({"fact": "x", "max_age": "1d"})) == {"fact": "x", "max_age": 86400}


def test_fact_names_lists_every_fact_read():
    rule = parse_rule({"all": [{"fact": "a", "exists": True}, {"not": {"any": [{"fact": "b", "lt": 1}]}}]})
    assert fact_names(rule) == {"a", "b"}


# --- evaluation -----------------------------------------------------------------------------


def test_missing_fact_fails_with_a_readable_reason():
    outcome = run({"fact": "repository.has_readme", "equals": True})
    assert not outcome.passed
    assert outcome.message == "fact repository.has_readme was never collected"


def test_equals_is_strict_about_booleans():
    assert run({"fact": "a", "equals": True}, a=True).passed
    assert not run({"fact": "a", "equals": True}, a=1).passed
    assert run({"fact": "a", "equals": "x"}, a="x").passed
    outcome = run({"fact": "a", "equals": "x"}, a="y")
    assert outcome.message == 'a is "y", expected "x"'


def test_in():
    assert run({"fact": "a", "in": ["production", "experimental"]}, a="production").passed
    assert run({"fact": "a", "in": ["x"]}, a="y").message == 'a is "y", expected one of ["x"]'


def test_exists_treats_empty_values_as_unset():
    assert run({"fact": "a", "exists": True}, a="team-a").passed
    for empty in (None, "", [], {}):
        assert run({"fact": "a", "exists": True}, a=empty).message.endswith("expected it to be set")
        assert run({"fact": "a", "exists": False}, a=empty).passed
    assert run({"fact": "never", "exists": False}).passed
    assert not run({"fact": "a", "exists": False}, a="x").passed


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [("<", 59, True), ("<", 60, False), ("<=", 60, True), ("<=", 61, False), (">", 61, True), (">", 60, False),
     (">=", 60, True), (">=", 59.9, False), ("lt", 1, True), ("gte", 60.0, True)],
)  # fmt: skip
def test_numeric_operators(operator, value, expected):
    assert run({"fact": "ci.coverage", operator: 60}, ci__coverage=value).passed is expected


def test_numeric_comparison_with_a_non_number_fails_saying_so():
    assert run({"fact": "a", ">=": 1}, a="12").message == 'a is "12", not a number'
    assert run({"fact": "a", ">=": 1}, a=True).message == "a is true, not a number"


def test_max_age_of_a_timestamp_value():
    recent = (NOW - timedelta(days=3)).isoformat()
    old = (NOW - timedelta(days=45)).isoformat()
    assert run({"fact": "repository.last_commit_at", "max_age": "30d"}, repository__last_commit_at=recent).passed
    outcome = run({"fact": "repository.last_commit_at", "max_age": "30d"}, repository__last_commit_at=old)
    assert not outcome.passed
    assert "45 days ago, older than 30 days" in outcome.message
    assert run({"fact": "a", "max_age": "30d"}, a=(NOW - timedelta(days=1)).timestamp()).passed
    assert run({"fact": "a", "max_age": "30d"}, a="soon").message == 'a is "soon", not a timestamp'


def test_max_age_of_the_collection_time():
    fresh = {"ci.tests_passed": FactValue(True, NOW - timedelta(hours=2))}
    stale = {"ci.tests_passed": FactValue(True, NOW - timedelta(days=10))}
    rule = parse_rule({"fact": "ci.tests_passed", "max_age": "7d", "age_of": "collected_at"})
    assert evaluate_rule(rule, fresh, NOW).passed
    outcome = evaluate_rule(rule, stale, NOW)
    assert outcome.message == "ci.tests_passed was collected 10 days ago, older than 7 days"


def test_key_looks_inside_a_mapping_fact():
    rule = {"fact": "catalog.annotations", "key": "backstage.io/techdocs-ref", "exists": True}
    assert run(rule, catalog__annotations={"backstage.io/techdocs-ref": "dir:."}).passed
    outcome = run(rule, catalog__annotations={})
    assert outcome.message == "catalog.annotations[backstage.io/techdocs-ref] is missing, expected it to be set"
    assert not run({**rule, "equals": "x"}, catalog__annotations="not a mapping").passed


def test_all_reports_every_failure():
    rule = {"all": [{"fact": "a", "exists": True}, {"fact": "b", ">": 0}, {"fact": "c", "equals": 1}]}
    assert run(rule, a="x", b=1, c=1).passed
    outcome = run(rule, a="x", b=0)
    assert outcome.message == "b is 0, expected > 0; fact c was never collected"


def test_any_passes_when_one_holds():
    rule = {"any": [{"fact": "a", "equals": 1}, {"fact": "b", "equals": 2}]}
    assert run(rule, a=0, b=2).passed
    assert run(rule, a=0, b=0).message == "none held: a is 0, expected 1 | b is 0, expected 2"


def test_not_inverts():
    rule = {"not": {"fact": "techradar.uses_hold", "equals": True}}
    assert run(rule, techradar__uses_hold=False).passed
    assert run(rule, techradar__uses_hold=True).message == "expected this not to hold: techradar.uses_hold = true"


def test_several_operators_in_one_leaf_must_all_hold():
    rule = {"fact": "ci.coverage", ">=": 60, "<=": 100}
    assert run(rule, ci__coverage=80).passed
    assert not run(rule, ci__coverage=120).passed


def test_max_age_of_an_unknown_collection_time_fails_saying_so():
    rule = parse_rule({"fact": "ci.tests_passed", "max_age": "7d", "age_of": "collected_at"})
    outcome = evaluate_rule(rule, {"ci.tests_passed": FactValue(True, None)}, NOW)
    assert (outcome.passed, outcome.message) == (False, "ci.tests_passed: when it was collected is unknown")
