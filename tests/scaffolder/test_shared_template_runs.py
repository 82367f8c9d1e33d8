"""Backstage's own templates: what their dry runs render; collected only when ../shared is present.

Their exact file lists are checked with the in-repo ones in test_template_runs.py.
"""

from __future__ import annotations

import pytest

from scaffolder.models import Task
from tests.scaffolder import dry_runs
from tests.scaffolder.dry_runs import SHARED_DRY_RUNS as DRY_RUNS
from tests.scaffolder.dry_runs import SHARED_REPO as REPO
from tests.scaffolder.dry_runs import files_of, messages
from tests.scaffolder.templates import SHARED_TEMPLATES as CORPUS

pytestmark = [pytest.mark.django_db, pytest.mark.shared_corpus]


def dry_run(relative: str, values: dict, user) -> Task:
    return dry_runs.dry_run(CORPUS / relative, values, user)


def test_number_values_stay_numbers_in_skeletons(alice):
    values, _ = DRY_RUNS["backstage-sample-templates/local-template/gin-golan-template/template.yaml"]
    files = files_of(
        dry_run("backstage-sample-templates/local-template/gin-golan-template/template.yaml", values, alice)
    )
    assert files["go.mod"].splitlines()[-1] == "go 1.22"
    # Backstage prints "undefined/undefined" for the members of a value the template never passes; we print nothing.
    assert "github.com/project-slug: /\n" in files["catalog-info.yaml"]


def test_springboot_renders_file_names_and_number_ports(alice):
    relative = "software-templates/springboot-grpc-template/template.yaml"
    files = files_of(dry_run(relative, DRY_RUNS[relative][0], alice))
    assert "server.port=8080" in files["src/main/resources/application.properties"]


def test_dry_run_skips_publish_and_register_with_a_log_line(alice):
    relative = "software-templates/docs-template/template.yaml"
    task = dry_run(relative, DRY_RUNS[relative][0], alice)
    assert "Skipping action publish:github in a dry run: it has side effects" in messages(task)
    assert "Skipping action catalog:register in a dry run: it has side effects" in messages(task)
    assert files_of(task)["mkdocs.yml"].startswith('site_name: "handbook"\n')


def test_conditional_output_items_are_filtered(alice):
    task = dry_run("backstage-sample-templates/conditional-output-demo/template.yaml", {"name": "demo",
                   "enableCI": "No", "showDetails": False}, alice)  # fmt: skip
    assert task.status == Task.Status.COMPLETED
    titles = [link["title"] for link in task.output["links"]]
    assert all("if" not in link for link in task.output["links"])
    assert titles and not any("CI" in title for title in titles), titles


def test_template_with_an_unknown_action_fails_with_a_clear_error(alice):
    values = {"name": "shop", "owner": "group:default/team-a", "repoUrl": REPO, "dryRun": True}
    task = dry_run("software-templates/rails-demo/template.yaml", values, alice)
    assert task.status == Task.Status.FAILED
    assert task.error == "Template action with ID 'fetch:rails' is not registered."
