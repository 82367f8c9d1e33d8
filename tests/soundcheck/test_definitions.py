"""YAML definitions: parsing with file and path in errors, applying, config-as-code sync, defaults."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from soundcheck.definitions import DefinitionError, parse_definitions
from soundcheck.definitions.sources import load_defaults, sync_source
from soundcheck.models import Campaign, Check, Level, Source, Track

pytestmark = pytest.mark.django_db

GOOD = """
checks:
  - key: has-owner
    name: Has an owner
    rule: {fact: catalog.owner, exists: true}
  - key: coverage
    name: Coverage
    rule: {fact: ci.coverage, ">=": 80}
tracks:
  - key: quality
    name: Quality
    filter: {kind: [Component], owner: [team-a]}
    levels:
      - {name: Bronze, checks: [has-owner]}
      - {name: Gold, checks: [coverage]}
campaigns:
  - key: gold-by-summer
    name: Gold by summer
    track: quality
    target_level: 2
    starts_on: "2026-01-01"
    deadline: "2026-06-30"
"""


def test_parses_checks_tracks_and_campaigns():
    definitions = parse_definitions(GOOD.encode(), "soundcheck.yaml")
    assert [check["key"] for check in definitions.checks] == ["has-owner", "coverage"]
    assert definitions.checks[1]["rule"] == {"fact": "ci.coverage", "gte": 80}
    assert definitions.tracks[0]["entity_filter"] == {"kind": ["component"], "owner": ["group:default/team-a"]}
    assert definitions.campaigns[0]["target_level"] == 2


def test_errors_name_the_file_and_the_path_of_each_problem():
    text = GOOD.replace('{fact: ci.coverage, ">=": 80}', "{all: [{fact: a, exists: true}, {fact: b, equal: 1}]}")
    text = text.replace("name: Gold,", "nam: Gold,")
    with pytest.raises(DefinitionError) as raised:
        parse_definitions(text.encode(), "soundcheck.yaml")
    assert raised.value.errors == [
        "checks[1].rule.all[1].fact: unknown operator 'equal' "
        "(expected one of <, <=, >, >=, equals, exists, in, max_age)",
        "tracks[0].levels[1]: unknown field 'nam' (expected checks, description, name)",
        "tracks[0].levels[1].name: required",
    ]
    assert str(raised.value).startswith("soundcheck.yaml: checks[1].rule.all[1].fact: unknown operator 'equal'")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("checks: [", "line 2: YAML syntax error"),
        ("checks: {a: 1}", "checks: expected a list"),
        ("rules: []", "rules: unknown section (expected checks, tracks or campaigns)"),
        ("checks: [{key: Bad Key, name: x, rule: {fact: a, exists: true}}]", "checks[0].key: expected a lowercase key"),
        ("checks: [{key: a, name: x}]", "checks[0].rule: required"),
        ("tracks: [{key: t, name: T, levels: []}]", "tracks[0].levels: expected a non-empty list of levels"),
        ("tracks: [{key: t, name: T, filter: {team: [x]}, levels: [{name: L}]}]", "tracks[0].filter.team: unknown"),
        ("campaigns: [{key: c, name: C, starts_on: '2026-01-01', deadline: soon, check: a}]", "campaigns[0].deadline"),
        (
            "campaigns: [{key: c, name: C, starts_on: '2026-01-01', deadline: '2026-02-01'}]",
            "campaigns[0]: name either",
        ),
        ("a: &a [*a, *a]", "line 1: YAML error"),
    ],
)
def test_refuses_bad_files(text, error):
    with pytest.raises(DefinitionError) as raised:
        parse_definitions(text.encode(), "f.yaml")
    assert any(message.startswith(error) for message in raised.value.errors), raised.value.errors


def test_refuses_huge_files():
    with pytest.raises(DefinitionError, match="more than the limit"):
        parse_definitions(b"#" * (1024 * 1024 + 1), "f.yaml")


def test_sync_applies_a_file_source_and_removes_what_disappears(write_file):
    path = write_file("soundcheck.yaml", GOOD)
    outcome = sync_source("file", str(path))
    assert outcome.errors == []
    assert sorted(outcome.created) == ["campaign:gold-by-summer", "check:coverage", "check:has-owner", "track:quality"]
    track = Track.objects.get(key="quality")
    assert track.source == Source.REPOSITORY and track.source_location == f"file:{path}"
    assert [list(level.checks.values_list("key", flat=True)) for level in track.levels.all()] == [
        ["has-owner"],
        ["coverage"],
    ]
    write_file("soundcheck.yaml", GOOD.split("campaigns:")[0].replace("      - {name: Gold, checks: [coverage]}\n", ""))
    outcome = sync_source("file", str(path))
    assert outcome.errors == []
    assert sorted(outcome.removed) == ["campaign:gold-by-summer"]
    assert Level.objects.filter(track__key="quality").count() == 1
    assert Check.objects.filter(key="coverage").exists()


def test_a_bad_file_changes_nothing_stored(write_file):
    path = write_file("soundcheck.yaml", GOOD)
    sync_source("file", str(path))
    before = list(Check.objects.values_list("key", "rule", "updated_at"))
    write_file("soundcheck.yaml", GOOD.replace("exists: true", "exists: maybe"))
    outcome = sync_source("file", str(path))
    assert outcome.errors == [f"file:{path}: checks[0].rule.exists: expected true or false, got 'maybe'"]
    assert list(Check.objects.values_list("key", "rule", "updated_at")) == before
    assert Campaign.objects.count() == 1


def test_a_level_naming_an_unknown_check_changes_nothing(write_file):
    path = write_file("soundcheck.yaml", GOOD.replace("checks: [coverage]", "checks: [coverag]"))
    outcome = sync_source("file", str(path))
    assert outcome.errors == [f"file:{path}: tracks[0].levels[1].checks[0]: no check with key 'coverag'"]
    assert not Check.objects.exists()


def test_an_unreadable_source_changes_nothing(tmp_path, write_file):
    sync_source("file", str(write_file("soundcheck.yaml", GOOD)))
    outcome = sync_source("file", str(tmp_path / "missing.yaml"))
    assert outcome.errors and "not found" in outcome.errors[0]
    assert Check.objects.count() == 2


def test_sync_reads_git_sources(git_repo):
    repo = git_repo("defs")
    repo.commit({"soundcheck/checks.yaml": GOOD})
    outcome = sync_source("url", f"{repo.url}#main:soundcheck/*.yaml")
    assert outcome.errors == []
    assert Track.objects.get(key="quality").source_location == f"url:{repo.url}#main:soundcheck/*.yaml"


def test_sync_command_reports_file_and_path(write_file, settings, capsys):
    bad = write_file("bad.yaml", "checks: [{key: a, name: A, rule: {fact: x, equal: 1}}]")
    good = write_file("good.yaml", GOOD)
    settings.SOUNDCHECK = {
        **settings.SOUNDCHECK,
        "SOURCES": [{"type": "file", "target": str(bad)}, {"type": "file", "target": str(good)}],
    }
    with pytest.raises(CommandError):
        call_command("soundcheck_sync")
    assert f"file:{bad}: checks[0].rule.fact: unknown operator 'equal'" in capsys.readouterr().err
    assert Check.objects.filter(source_location=f"file:{good}").count() == 2


def test_defaults_load_and_are_idempotent():
    outcome = load_defaults()
    assert outcome.errors == []
    assert set(Track.objects.values_list("key", flat=True)) == {
        "basics", "docs", "test-certified", "repository-hygiene", "tech-health",
    }  # fmt: skip
    assert Check.objects.filter(source=Source.BUILT_IN).count() == 14
    again = load_defaults()
    assert again.created == [] and again.removed == []


def test_load_defaults_command_evaluates_the_catalog(make_catalog, capsys):
    from soundcheck.models import TrackResult

    from .conftest import descriptor

    make_catalog(descriptor("shop", description="A shop", system="commerce"))
    call_command("load_soundcheck_defaults", evaluate=True)
    assert "Evaluated" in capsys.readouterr().out
    assert TrackResult.objects.get(entity_ref="component:default/shop", track__key="basics").level == 2
