"""Two gunicorn web processes and two Celery workers (-c 2) on one PostgreSQL and one Redis.

Concurrent location refreshes asked of both web processes at once, scaffolder runs (dry runs and
real runs publishing to local bare repositories) and TechDocs syncs: no duplicate entity, no lost
update, no job run twice to harmful effect, every job finished within a bound. Runs where
DATABASE_URL is PostgreSQL and REDIS_URL is set (CI); the cluster uses its own database and queue.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from tests.corpus import FIXTURES
from tests.ops.cluster import Cluster, is_configured, wait_until, with_redis_db
from tests.scaffolder.conftest import GIT_HOST, SERVICE_TEMPLATE, SKELETON, write_template

pytestmark = pytest.mark.skipif(not is_configured(), reason="needs DATABASE_URL on PostgreSQL and REDIS_URL (CI)")

LOCATIONS = 12
DOCUMENTED = 2
JOB_BOUND_SECONDS = 120

SETUP = """
import sys
from django.contrib.auth import get_user_model
from catalog.services import refresh_location, register_location, validate_location_spec
from portal.services.tokens import issue_token
admin = get_user_model().objects.create_superuser("scale-admin", "scale@example.invalid", None)
for path in sys.argv[1:] or PATHS:
    refresh_location(register_location(validate_location_spec("file", path), trusted=True))
print("TOKEN=" + issue_token(admin, "scale test")[1])
"""


def component(name: str, description: str) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": name, "description": description},
            "spec": {"type": "service", "lifecycle": "production", "owner": "group:default/team-a"},
        }
    )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale")
    files = []
    for index in range(LOCATIONS):
        path = root / "catalog" / f"svc-{index}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(component(f"svc-{index}", "first"))
        files.append(path)
    for index in range(DOCUMENTED):
        target = root / "docs" / f"documented-{index}"
        shutil.copytree(FIXTURES / "techdocs" / "documented-component", target)
        info = target / "catalog-info.yaml"
        info.write_text(info.read_text().replace("name: documented-component", f"name: documented-{index}"))
        files.append(info)
    files.append(write_template(root / "templates" / "service", SERVICE_TEMPLATE, SKELETON))
    remotes = root / "remotes"
    publishers = [{"host": GIT_HOST, "type": "git", "remote": f"file://{remotes}/{{owner}}/{{repo}}.git"}]
    cluster = Cluster(
        root=root,
        database_url=os.environ["DATABASE_URL"],
        redis_url=with_redis_db(os.environ["REDIS_URL"], 6),
        extra_env={
            "SCAFFOLDER_ALLOW_FILE_REMOTES": "true",
            "SCAFFOLDER_PUBLISHERS": json.dumps(publishers),
            "SCAFFOLDER_WORKING_DIRECTORY": str(root / "workspaces"),
            "TECHDOCS_SYNC_WAIT_SECONDS": "1",
            "TECHDOCS_BUILD_TIMEOUT": "90",
        },
    )
    try:
        cluster.start()
        script = SETUP.replace("sys.argv[1:] or PATHS", repr([str(path) for path in files]))
        output = cluster.manage("shell", "--command", script)
        cluster.token = output.strip().rsplit("TOKEN=", 1)[1].strip()
        yield cluster
    finally:
        cluster.stop()


def both_webs(cluster: Cluster, calls: list[tuple[str, str, dict | None]]) -> list[int]:
    """Each call sent to both web processes at once; the statuses."""
    jobs = [(method, path, body, web) for method, path, body in calls for web in (0, 1)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda job: cluster.request(job[0], job[1], job[2], web=job[3])[0], jobs))
    return results


def test_concurrent_refreshes_keep_one_entity_each_and_lose_no_change(cluster):
    refresh = [("POST", "/api/catalog/refresh", {"entityRef": f"component:default/svc-{i}"}) for i in range(LOCATIONS)]

    first_storm = both_webs(cluster, refresh * 2)
    # A change written while the refreshes run must be in the catalog once they settle.
    for index in range(0, LOCATIONS, 3):
        (cluster.root / "catalog" / f"svc-{index}.yaml").write_text(component(f"svc-{index}", "changed"))
    second_storm = both_webs(cluster, refresh * 2)

    assert set(first_storm + second_storm) == {200}, cluster.logs()

    def settled():
        changed = cluster.query(
            "SELECT count(*) FROM catalog_entity "
            "WHERE kind = 'Component' AND body->'metadata'->>'description' = 'changed'"
        )[0][0]
        busy = cluster.query("SELECT count(*) FROM catalog_location WHERE refresh_claimed_at IS NOT NULL")[0][0]
        return changed == len(range(0, LOCATIONS, 3)) and busy == 0

    wait_until(settled, JOB_BOUND_SECONDS, "the changed files were not all in the catalog, or refreshes still ran")
    rows = cluster.query(
        "SELECT ref, count(*) FROM catalog_entity WHERE ref LIKE 'component:default/svc-%%' GROUP BY ref"
    )
    assert len(rows) == LOCATIONS
    assert {count for _, count in rows} == {1}
    unchanged = cluster.query(
        "SELECT count(*) FROM catalog_entity WHERE ref LIKE 'component:default/svc-%%' "
        "AND body->'metadata'->>'description' = 'first'"
    )[0][0]
    assert unchanged == LOCATIONS - len(range(0, LOCATIONS, 3))


def test_template_runs_from_both_webs_each_publish_once(cluster):
    values = [
        {"name": f"svc{i}", "owner": "group:default/team-a", "repoUrl": f"{GIT_HOST}?owner=acme&repo=svc{i}"}
        for i in range(4)
    ]
    for value in values:
        remote = cluster.root / "remotes" / "acme" / f"{value['name']}.git"
        remote.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    dry_template = {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": "dry"},
        "spec": {
            "parameters": [{"properties": {"name": {"type": "string"}}}],
            "steps": [{"id": "log", "action": "debug:log", "input": {"message": "hello ${{ parameters.name }}"}}],
        },
    }
    jobs = [("POST", "/api/scaffolder/v2/dry-run", {"template": dry_template, "values": {"name": "x"}})] * 3
    jobs += [
        ("POST", "/api/scaffolder/v2/tasks", {"templateRef": "template:default/python-service", "values": value})
        for value in values
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda i_job: cluster.request(*i_job[1], web=i_job[0] % 2), enumerate(jobs)))
    dry, real = answers[:3], answers[3:]
    assert [(status, body["status"]) for status, body in dry] == [(200, "completed")] * 3
    assert [status for status, _ in real] == [201] * len(values), real
    task_ids = [body["id"] for _, body in real]

    def finished():
        rows = cluster.query("SELECT id::text, status FROM scaffolder_task WHERE id::text = ANY(%s)", (task_ids,))
        return rows if all(status not in ("open", "processing") for _, status in rows) else None

    rows = wait_until(finished, JOB_BOUND_SECONDS, "template runs did not all finish")
    assert {status for _, status in rows} == {"completed"}, cluster.logs()
    for value in values:
        remote = cluster.root / "remotes" / "acme" / f"{value['name']}.git"
        commits = subprocess.run(
            ["git", "-C", str(remote), "rev-list", "--count", "--all"], check=True, capture_output=True, text=True
        ).stdout.strip()
        assert commits == "1"
    completions = cluster.query(
        "SELECT task_id::text, count(*) FROM scaffolder_taskevent WHERE type = 'completion' "
        "AND task_id::text = ANY(%s) GROUP BY task_id",
        (task_ids,),
    )
    assert sorted(count for _, count in completions) == [1] * len(values)


def test_docs_syncs_from_both_webs_all_finish_and_put_each_site_online(cluster):
    syncs = [("GET", f"/api/techdocs/sync/default/component/documented-{i}", None) for i in range(DOCUMENTED)] * 3

    statuses = both_webs(cluster, syncs)

    assert set(statuses) <= {200, 201, 202, 304}, (statuses, cluster.logs())

    def finished():
        open_builds = cluster.query("SELECT count(*) FROM techdocs_docbuild WHERE status IN ('queued', 'running')")
        return open_builds[0][0] == 0

    wait_until(finished, JOB_BOUND_SECONDS, "docs builds still queued or running")
    failed = cluster.query("SELECT error FROM techdocs_docbuild WHERE status = 'failed'")
    assert failed == []
    online = cluster.query(
        "SELECT s.entity_ref, b.status FROM techdocs_docsite s JOIN techdocs_docbuild b ON b.id = s.current_build_id"
    )
    assert sorted(online) == [(f"component:default/documented-{i}", "succeeded") for i in range(DOCUMENTED)]
