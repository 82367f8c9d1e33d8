"""The scaffolder benchmark: one run of a large skeleton timed from submit to finished, then many at once.

Used by ``manage.py scaffolder_benchmark``. With ``worker=True`` the runs go to Celery and real workers
must be running; otherwise they run in a thread pool in this process (what the test suite does on SQLite).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import close_old_connections, connection

from benchmarks.services.scratch import benchmark_user
from catalog.config import admit_local_root
from catalog.models import Entity
from catalog.services import delete_location, refresh_location, register_location, validate_location_spec
from scaffolder.models import Task
from scaffolder.services import create_task, delete_tasks
from scaffolder.tasks import run_task

TEMPLATE_NAME = "scaffolder-benchmark"


@dataclass
class BenchmarkReport:
    files: int
    single_seconds: float
    runs: int
    concurrent_seconds: float
    run_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        durations = sorted(self.run_seconds) or [0.0]
        return [
            f"one run, {self.files}-file skeleton: {self.single_seconds:.2f}s from submit to finished",
            f"{self.runs} concurrent runs: {self.concurrent_seconds:.2f}s in all; per run median "
            f"{statistics.median(durations):.2f}s, slowest {durations[-1]:.2f}s",
            f"errors: {len(self.errors)}",
            *(f"  {error}" for error in self.errors[:10]),
        ]


def write_template(root: Path, files: int) -> Path:
    """A template whose skeleton has ``files`` templated files, spread over directories, with templated names."""
    body = {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": TEMPLATE_NAME, "title": "Scaffolder benchmark"},
        "spec": {
            "owner": "group:default/platform",
            "type": "service",
            "parameters": {"required": ["name"], "properties": {"name": {"type": "string"}}},
            "steps": [
                {"id": "fetch", "name": "Render", "action": "fetch:template",
                 "input": {"url": "./skeleton", "values": {"name": "${{ parameters.name }}"}}},
                {"id": "rename", "name": "Rename", "action": "fs:rename",
                 "input": {"files": [{"from": "README.md", "to": "docs/README.md"}]}},
                {"id": "log", "name": "List", "action": "debug:log", "input": {"listWorkspace": True}},
            ],
            "output": {"text": [{"title": "Done", "content": "Created ${{ parameters.name }}"}]},
        },
    }  # fmt: skip
    (root / "template.yaml").write_text(yaml.safe_dump(body, sort_keys=False))
    skeleton = root / "skeleton"
    (skeleton / "src").mkdir(parents=True)
    (skeleton / "README.md").write_text("# ${{ values.name }}\n")
    for index in range(files - 1):
        directory = skeleton / "src" / f"module_{index // 20}"
        directory.mkdir(exist_ok=True)
        (directory / f"${{{{ values.name }}}}_{index}.py").write_text(
            '"""Module {i} of ${{ values.name }}."""\n\nNAME = ${{ values.name | dump }}\n'
            "{% for n in range(10) %}VALUE_${{ n }} = ${{ n * 2 }}\n{% endfor %}".replace("{i}", str(index))
        )
    return root / "template.yaml"


def _wait(task_ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = set(task_ids)
    while pending and time.monotonic() < deadline:
        finished = Task.objects.filter(pk__in=pending, status__in=Task.FINAL_STATUSES).values_list("pk", flat=True)
        pending -= {str(pk) for pk in finished}
        if pending:
            time.sleep(0.2)


def _run_inline(task_id: str) -> None:
    try:
        run_task(task_id)
    finally:
        close_old_connections()
        connection.close()


def run_benchmark(*, files: int = 200, runs: int = 20, worker: bool = False, timeout: float = 600) -> BenchmarkReport:
    """Submit one run and time it, then ``runs`` at once; everything created is removed afterwards."""
    user = benchmark_user("scaffolder-benchmark")
    with tempfile.TemporaryDirectory(prefix="scaffolder-benchmark-") as directory:
        admit_local_root(directory)
        location = register_location(
            validate_location_spec("file", str(write_template(Path(directory), files))), trusted=True
        )
        try:
            refresh_location(location)
            template = Entity.objects.get(ref=f"template:default/{TEMPLATE_NAME}")

            def submit(count: int) -> tuple[list[str], float]:
                started = time.monotonic()
                ids = [str(create_task(template, {"name": f"svc{index}"}, user).pk) for index in range(count)]
                if worker:
                    _wait(ids, timeout)
                else:
                    with ThreadPoolExecutor(max_workers=count) as pool:
                        list(pool.map(_run_inline, ids))
                return ids, time.monotonic() - started

            single_ids, single_seconds = submit(1)
            many_ids, concurrent_seconds = submit(runs)
            tasks = list(Task.objects.filter(pk__in=single_ids + many_ids))
            report = BenchmarkReport(
                files=files,
                single_seconds=single_seconds,
                runs=runs,
                concurrent_seconds=concurrent_seconds,
                run_seconds=[
                    (task.finished_at - task.created_at).total_seconds() for task in tasks if task.finished_at
                ],
                errors=[
                    f"{task.pk}: {task.status} {task.error}".strip() for task in tasks if task.status != "completed"
                ],
            )
            delete_tasks(single_ids + many_ids)
        finally:
            delete_location(location)
    return report
