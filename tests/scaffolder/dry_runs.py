"""Dry runs of template files, shared by the template-run tests: load, run, and read what a run made."""

from __future__ import annotations

import base64
from pathlib import Path

from scaffolder.models import Task
from scaffolder.services import create_task
from scaffolder.tasks import run_task
from tests.scaffolder.conftest import load_entity

SHARED_REPO = "github.com?owner=acme&repo=demo"

# Backstage's templates (paths relative to its corpus) that need no outside service in a dry run:
# the values for each, and the files it must create.
SHARED_DRY_RUNS = {
    "software-templates/docs-template/template.yaml": (
        {"name": "handbook", "description": "Team handbook", "owner": "group:default/team-a", "repoUrl": SHARED_REPO},
        ["catalog-info.yaml", "docs/index.md", "mkdocs.yml"],
    ),
    "backstage-sample-templates/conditional-output-demo/template.yaml": ({"name": "demo", "enableCI": "Yes"}, []),
    "backstage-sample-templates/local-template/gin-golan-template/template.yaml": (
        {"component_id": "gin-api", "module": "example.com/gin-api", "go_version": 1.22,
         "owner": "group:default/team-a", "repoUrl": SHARED_REPO},
        ["catalog-info.yaml", "go.mod", "main.go", "readme.md"],
    ),
    "software-templates/react-ssr-template/template.yaml": (
        {"component_id": "web-ui", "description": "Web", "owner": "group:default/team-a", "repoUrl": SHARED_REPO},
        [".editorconfig", ".eslintignore", ".eslintrc.js", ".gitignore", "README.md", "babel.config.js",
         "catalog-info.yaml", "docs/index.md", "jest.config.js", "mkdocs.yml", "next-env.d.ts", "next.config.js",
         "package.json", "prettier.config.js", "public/static/fonts.css", "src/__tests__/index.test.tsx",
         "src/components/Header.tsx", "src/pages/_app.tsx", "src/pages/_document.tsx", "src/pages/api/ping.ts",
         "src/pages/index.tsx", "tsconfig.json"],
    ),
    "software-templates/springboot-grpc-template/template.yaml": (
        {"component_id": "orders", "java_package_name": "com.acme.orders", "owner": "group:default/team-a",
         "repoUrl": SHARED_REPO},
        [".editorconfig", ".gitignore", "Dockerfile", "README.md", "SERVICE.marker", "catalog-info.yaml",
         "docs/index.md", "mkdocs.yml", "orders.sh", "pom.xml",
         "src/main/java/com/example/com.acme.orders/Application.java",
         "src/main/java/com/example/com.acme.orders/GreeterService.java",
         "src/main/resources/application.properties", "src/main/resources/banner.txt",
         "src/main/resources/greeter.proto", "src/test/java/com/example/com.acme.orders/ApplicationTest.java"],
    ),
}  # fmt: skip


def load(path: Path):
    """The one Template entity a template file holds, loaded through a file location."""
    (entity,) = load_entity(path)
    return entity


def dry_run(path: Path, values: dict, user) -> Task:
    task = create_task(load(path), values, user, dry_run=True)
    run_task(str(task.pk))
    task.refresh_from_db()
    return task


def files_of(task: Task) -> dict[str, str]:
    return {item["path"]: base64.b64decode(item["base64Content"]).decode() for item in task.files}


def messages(task: Task) -> list[str]:
    return [event.body.get("message", "") for event in task.events.all()]
