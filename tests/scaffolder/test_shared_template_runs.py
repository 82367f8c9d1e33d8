"""Backstage's own templates dry-run to their exact file lists; collected only when ../shared is present."""

from __future__ import annotations

import base64

import pytest

from scaffolder.models import Task
from scaffolder.services import create_task
from scaffolder.tasks import run_task
from tests.scaffolder.conftest import load_entity
from tests.scaffolder.templates import SHARED_TEMPLATES as CORPUS

pytestmark = [pytest.mark.django_db, pytest.mark.shared_corpus]

REPO = "github.com?owner=acme&repo=demo"

# Values for each template that needs no outside service in a dry run, and the files it must create.
DRY_RUNS = {
    "software-templates/docs-template/template.yaml": (
        {"name": "handbook", "description": "Team handbook", "owner": "group:default/team-a", "repoUrl": REPO},
        ["catalog-info.yaml", "docs/index.md", "mkdocs.yml"],
    ),
    "backstage-sample-templates/conditional-output-demo/template.yaml": ({"name": "demo", "enableCI": "Yes"}, []),
    "backstage-sample-templates/local-template/gin-golan-template/template.yaml": (
        {"component_id": "gin-api", "module": "example.com/gin-api", "go_version": 1.22,
         "owner": "group:default/team-a", "repoUrl": REPO},
        ["catalog-info.yaml", "go.mod", "main.go", "readme.md"],
    ),
    "software-templates/react-ssr-template/template.yaml": (
        {"component_id": "web-ui", "description": "Web", "owner": "group:default/team-a", "repoUrl": REPO},
        [".editorconfig", ".eslintignore", ".eslintrc.js", ".gitignore", "README.md", "babel.config.js",
         "catalog-info.yaml", "docs/index.md", "jest.config.js", "mkdocs.yml", "next-env.d.ts", "next.config.js",
         "package.json", "prettier.config.js", "public/static/fonts.css", "src/__tests__/index.test.tsx",
         "src/components/Header.tsx", "src/pages/_app.tsx", "src/pages/_document.tsx", "src/pages/api/ping.ts",
         "src/pages/index.tsx", "tsconfig.json"],
    ),
    "software-templates/springboot-grpc-template/template.yaml": (
        {"component_id": "orders", "java_package_name": "com.acme.orders", "owner": "group:default/team-a",
         "repoUrl": REPO},
        [".editorconfig", ".gitignore", "Dockerfile", "README.md", "SERVICE.marker", "catalog-info.yaml",
         "docs/index.md", "mkdocs.yml", "orders.sh", "pom.xml",
         "src/main/java/com/example/com.acme.orders/Application.java",
         "src/main/java/com/example/com.acme.orders/GreeterService.java",
         "src/main/resources/application.properties", "src/main/resources/banner.txt",
         "src/main/resources/greeter.proto", "src/test/java/com/example/com.acme.orders/ApplicationTest.java"],
    ),
}  # fmt: skip


def load(relative: str):
    (entity,) = load_entity(CORPUS / relative)
    return entity


def dry_run(relative: str, values: dict, user) -> Task:
    task = create_task(load(relative), values, user, dry_run=True)
    run_task(str(task.pk))
    task.refresh_from_db()
    return task


def files_of(task: Task) -> dict[str, str]:
    return {item["path"]: base64.b64decode(item["base64Content"]).decode() for item in task.files}


def messages(task: Task) -> list[str]:
    return [event.body.get("message", "") for event in task.events.all()]


@pytest.mark.parametrize("relative", sorted(DRY_RUNS))
def test_dry_run_creates_the_expected_files(relative, alice):
    values, expected = DRY_RUNS[relative]
    task = dry_run(relative, values, alice)
    assert task.status == Task.Status.COMPLETED, messages(task)
    assert sorted(files_of(task)) == expected


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
