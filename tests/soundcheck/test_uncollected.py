"""A check over facts nobody has sent yet reads "Not collected yet", not as a failure of the entity."""

from __future__ import annotations

from datetime import UTC, datetime

from soundcheck.models import Check, CheckResult
from soundcheck.rules.evaluate import evaluate_rule, never_collected, uncollected_facts
from soundcheck.tab import CheckRow

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_a_rule_over_a_missing_fact_names_it_as_never_collected():
    outcome = evaluate_rule(
        {"all": [{"fact": "ci.tests_passed", "equal": True}, {"fact": "ci.tests_run", "equal": True}]}, {}, NOW
    )
    assert not outcome.passed
    assert uncollected_facts(outcome.message) == ["ci.tests_passed", "ci.tests_run"]


def test_a_real_failure_beside_a_missing_fact_is_not_hidden():
    assert uncollected_facts(never_collected("ci.coverage") + "; repository.has_readme is false, expected true") == []
    assert uncollected_facts("repository.has_readme is false, expected true") == [] and uncollected_facts("") == []


def row(state: str, message: str) -> CheckRow:
    return CheckRow(check=Check(key="c", name="C"), result=CheckResult(state=state, message=message), fix_html=None)


def test_the_tab_row_says_not_collected_only_for_a_failure_of_missing_facts():
    assert row("failed", never_collected("ci.coverage")).state == "uncollected"
    assert row("failed", never_collected("ci.coverage")).uncollected == ["ci.coverage"]
    assert row("failed", "repository.has_readme is false, expected true").state == "failed"
    assert row("error", never_collected("ci.coverage")).state == "error"
    assert CheckRow(check=Check(key="c", name="C"), result=None, fix_html=None).state == "pending"
