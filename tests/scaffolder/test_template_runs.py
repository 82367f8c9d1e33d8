"""Corpus templates load as catalog Templates, and dry runs of the in-repo ones produce their files."""

from __future__ import annotations

import pytest

from scaffolder.models import Task
from tests.corpus import HAS_SHARED
from tests.scaffolder import dry_runs
from tests.scaffolder.dry_runs import SHARED_DRY_RUNS, files_of, load, messages
from tests.scaffolder.templates import SHARED_TEMPLATES, TEMPLATE_FILES, TEMPLATES

pytestmark = pytest.mark.django_db

REPO = "github.com?owner=velocity-cycles&repo=demo"
OWNER = "group:default/team-a"

# Values for each in-repo template that needs no outside service in a dry run, and the files it must create.
DRY_RUNS = {
    "docs-site": (
        {"name": "handbook", "description": "Team handbook", "owner": OWNER, "repoUrl": REPO},
        ["catalog-info.yaml", "docs/index.md", "mkdocs.yml"],
    ),
    "firmware-service": (
        {"component_id": "motor-fw", "package_name": "vc.motor", "sdk_version": 3.6, "owner": OWNER, "repoUrl": REPO},
        [".editorconfig", "README.md", "board.toml", "catalog-info.yaml", "ci/pipeline.yml", "config/app.properties",
         "motor-fw.sh", "src/vc.motor/main.c"],
    ),
    "conditional-links": ({"name": "demo", "enableCI": "Yes"}, []),
}  # fmt: skip


@pytest.mark.parametrize("path", TEMPLATE_FILES)
def test_corpus_template_loads_into_the_catalog(path):
    entity = load(path)
    assert entity.kind == "Template"
    assert entity.location_key == f"file:{path}"


def dry_run(name: str, values: dict, user) -> Task:
    return dry_runs.dry_run(TEMPLATES / name / "template.yaml", values, user)


# Every dry run in both tables, Backstage's (marked) only when present.
ALL_DRY_RUNS = [
    pytest.param(TEMPLATES / name / "template.yaml", *DRY_RUNS[name], id=f"fixtures:{name}")
    for name in sorted(DRY_RUNS)
] + [
    pytest.param(SHARED_TEMPLATES / relative, *SHARED_DRY_RUNS[relative], id=f"shared:{relative}",
                 marks=pytest.mark.shared_corpus)
    for relative in (sorted(SHARED_DRY_RUNS) if HAS_SHARED else [])
]  # fmt: skip


@pytest.mark.parametrize(("path", "values", "expected"), ALL_DRY_RUNS)
def test_dry_run_creates_the_expected_files(path, values, expected, alice):
    task = dry_runs.dry_run(path, values, alice)
    assert task.status == Task.Status.COMPLETED, messages(task)
    assert sorted(files_of(task)) == expected


def test_number_values_stay_numbers_in_skeletons(alice):
    files = files_of(dry_run("firmware-service", DRY_RUNS["firmware-service"][0], alice))
    assert files["board.toml"].splitlines()[-1] == "version = 3.6"
    # Backstage prints "undefined/undefined" for the members of a value the template never passes; we print nothing.
    assert "github.com/project-slug: /\n" in files["catalog-info.yaml"]


def test_file_names_render_and_numbers_stay_numbers_in_values(alice):
    files = files_of(dry_run("firmware-service", DRY_RUNS["firmware-service"][0], alice))
    assert "server.port=8080" in files["config/app.properties"]
    assert "build/motor-fw" in files["motor-fw.sh"]
    assert files["src/vc.motor/main.c"].startswith("/* motor-fw: entry point. */")


def test_copy_without_templating_keeps_contents_as_they_are(alice):
    files = files_of(dry_run("firmware-service", DRY_RUNS["firmware-service"][0], alice))
    assert "board: ${{ matrix.board }}" in files["ci/pipeline.yml"]


def test_dry_run_skips_publish_and_register_with_a_log_line(alice):
    task = dry_run("docs-site", DRY_RUNS["docs-site"][0], alice)
    assert "Skipping action publish:github in a dry run: it has side effects" in messages(task)
    assert "Skipping action catalog:register in a dry run: it has side effects" in messages(task)
    assert files_of(task)["mkdocs.yml"].startswith('site_name: "handbook"\n')


def test_conditional_output_items_are_filtered(alice):
    task = dry_run("conditional-links", {"name": "demo", "enableCI": "No", "showDetails": False}, alice)
    assert task.status == Task.Status.COMPLETED
    titles = [link["title"] for link in task.output["links"]]
    assert all("if" not in link for link in task.output["links"])
    assert titles == ["Fleet dashboard"]
    assert [item["title"] for item in task.output["text"]] == ["Summary"]


def test_conditional_output_items_are_kept_when_their_condition_holds(alice):
    task = dry_run("conditional-links", {"name": "demo", "enableCI": "Yes", "showDetails": True}, alice)
    assert [link["title"] for link in task.output["links"]] == ["Fleet dashboard", "CI pipeline", "CI handbook"]
    assert task.output["links"][1]["url"] == "https://ci.velocitycycles.example/demo"
    assert [item["title"] for item in task.output["text"]] == ["Summary", "Details"]


def test_template_with_an_unknown_action_fails_with_a_clear_error(alice):
    values = {"name": "shop", "owner": OWNER, "repoUrl": REPO, "dryRun": True}
    task = dry_run("legacy-generator", values, alice)
    assert task.status == Task.Status.FAILED
    assert task.error == "Template action with ID 'fetch:cookiecutter' is not registered."
