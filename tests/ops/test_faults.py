"""Faults in production: Redis stopped and started with jobs queued, a worker killed mid-job, and
PostgreSQL restarted under a running portal.

One gunicorn web process, Celery workers and beat run against a private PostgreSQL and a private
Redis (``tests/ops/services.py``), which the tests stop and start; the machine's shared servers are
never touched. The private Redis keeps nothing on disk, so its restart forgets every queued message:
the worst case. Timeouts are shortened through the environment so that each scenario takes seconds;
the bounds asserted here are those timeouts plus a margin for a busy machine.
"""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from techdocs.services import SYNC_REASON
from tests.corpus import FIXTURES
from tests.ops.cluster import Cluster, wait_until
from tests.ops.services import missing_servers, private_postgres, private_redis
from tests.scaffolder.conftest import write_template

MISSING = missing_servers()
pytestmark = pytest.mark.skipif(bool(MISSING), reason=f"the fault tests start their own servers and need {MISSING}")

# Seconds: a job left queued is sent again after JOB_REDISPATCH_AFTER (checked every JOB_REDISPATCH_TICK);
# a run without heartbeat for SCAFFOLDER_TASK_TIMEOUT is failed (checked every SCAFFOLDER_REAPER_TICK).
REDISPATCH_AFTER = 3
TASK_TIMEOUT = 6
TICK = 2
# Every job reaches a final state within this after its dependency is back (a worker reconnects to
# Redis within about 10 s; the rest are the timeouts above, a docs build and a busy machine).
JOB_BOUND_SECONDS = 60
# No request waits longer than this, whatever is down.
REQUEST_TIMEOUT = 20
WEB_THREADS = 4

SETUP = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from catalog.services import refresh_location, register_location, validate_location_spec
from portal.services.tokens import issue_token
admin = get_user_model().objects.create_superuser("fault-admin", "fault@example.invalid", None)
for path in PATHS:
    refresh_location(register_location(validate_location_spec("file", path), trusted=True))
session = SessionStore()
session.update({SESSION_KEY: str(admin.pk), HASH_SESSION_KEY: admin.get_session_auth_hash(),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend"})
session.create()
print("TOKEN=" + issue_token(admin, "fault test")[1])
print("SESSION=" + session.session_key)
"""


def component(description: str) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "backstage.io/v1alpha1",
            "kind": "Component",
            "metadata": {"name": "svc-a", "description": description},
            "spec": {"type": "service", "lifecycle": "production", "owner": "group:default/team-a"},
        }
    )


def template(name: str, steps: list[dict]) -> dict:
    return {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": name},
        "spec": {
            "owner": "group:default/team-a",
            "type": "service",
            "parameters": [{"properties": {"name": {"type": "string"}}}],
            "steps": steps,
        },
    }


def wait_step(seconds: int) -> dict:
    return {"id": "wait", "name": "Wait", "action": "debug:wait", "input": {"seconds": seconds}}


# Periodic jobs that would muddle what the tests count run once an hour.
QUIET = (
    "CATALOG_SCHEDULER_TICK", "CATALOG_REFRESH_INTERVAL", "TECHDOCS_CHECK_INTERVAL", "TECH_RADAR_SYNC_INTERVAL",
    "SOUNDCHECK_COLLECT_INTERVAL", "SOUNDCHECK_SYNC_INTERVAL", "SOUNDCHECK_REMINDER_TICK", "TECHDOCS_REAPER_TICK",
)  # fmt: skip
LOG_STEP = {"id": "log", "name": "Log", "action": "debug:log", "input": {"message": "hello ${{ parameters.name }}"}}


@pytest.fixture(scope="module")
def servers():
    with private_postgres() as postgres, private_redis() as redis:
        yield postgres, redis


@pytest.fixture(scope="module")
def cluster(servers, tmp_path_factory):
    postgres, redis = servers
    root = tmp_path_factory.mktemp("faults")
    files = [root / "catalog" / "svc-a.yaml"]
    files[0].parent.mkdir(parents=True)
    files[0].write_text(component("first"))
    docs = root / "docs" / "documented-component"
    shutil.copytree(FIXTURES / "techdocs" / "documented-component", docs)
    files.append(docs / "catalog-info.yaml")
    files.append(write_template(root / "templates" / "fast", template("fast", [LOG_STEP])))
    files.append(write_template(root / "templates" / "slow6", template("slow6", [wait_step(6), LOG_STEP])))
    files.append(write_template(root / "templates" / "slow60", template("slow60", [wait_step(60), LOG_STEP])))
    cluster = Cluster(
        root=root,
        database_url=postgres.url,
        redis_url=redis.url(0),
        name="greenroom_faults",
        extra_env={
            "JOB_REDISPATCH_AFTER": str(REDISPATCH_AFTER),
            "JOB_REDISPATCH_TICK": str(TICK),
            "SCAFFOLDER_TASK_TIMEOUT": str(TASK_TIMEOUT),
            "SCAFFOLDER_REAPER_TICK": str(TICK),
            "SCAFFOLDER_WORKING_DIRECTORY": str(root / "workspaces"),
            "TECHDOCS_SYNC_WAIT_SECONDS": "1",
            "TECHDOCS_BUILD_TIMEOUT": "60",
            "DATABASE_CONNECT_TIMEOUT": "3",
            "HEALTH_CHECK_TIMEOUT": "2",
            "WEB_THREADS": str(WEB_THREADS),
            **dict.fromkeys(QUIET, "3600"),
        },
    )
    try:
        cluster.start(web=1, workers=2, concurrency=1, beat=True)
        script = SETUP.replace("PATHS", repr([str(path) for path in files]))
        output = cluster.manage("shell", "--command", script)
        cluster.token = output.split("TOKEN=", 1)[1].split()[0]
        cluster.session = output.split("SESSION=", 1)[1].split()[0]  # type: ignore[attr-defined]
        yield cluster
    finally:
        for server in servers:
            if not server.is_running:
                server.start()
        cluster.stop()


def call(cluster: Cluster, method: str, path: str, body: dict | None = None, **headers: str) -> tuple[int, object]:
    return cluster.request(method, path, body, timeout=REQUEST_TIMEOUT, headers=headers)


def page(cluster: Cluster, path: str) -> tuple[int, object]:
    """A page as the signed-in admin (session cookie, as a browser sends it)."""
    return cluster.request(
        "GET",
        path,
        timeout=REQUEST_TIMEOUT,
        headers={"Cookie": f"sessionid={cluster.session}", "Authorization": "", "Accept": "text/html"},  # type: ignore[attr-defined]
    )


def readyz(cluster: Cluster) -> tuple[int, dict]:
    return call(cluster, "GET", "/readyz")  # type: ignore[return-value]


def start_run(cluster: Cluster, template_name: str) -> str:
    body = {"templateRef": f"template:default/{template_name}", "values": {"name": "x"}}
    status, body = call(cluster, "POST", "/api/scaffolder/v2/tasks", body)
    assert status == 201, (status, body)
    return body["id"]  # type: ignore[index]


def run_statuses(cluster: Cluster, task_ids: list[str]) -> dict[str, str]:
    rows = cluster.query("SELECT id::text, status FROM scaffolder_task WHERE id::text = ANY(%s)", (task_ids,))
    return dict(rows)


def concurrently(calls: list) -> list:
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda job: job(), calls))


def open_builds(cluster: Cluster) -> list[tuple]:
    return cluster.query("SELECT id FROM techdocs_docbuild WHERE status IN ('queued', 'running')")


def web_log(cluster: Cluster) -> str:
    return (cluster.root / "logs" / "web0.log").read_text(errors="replace")


# The builds a reader's sync asked for: the periodic source check may also build the site on its
# own tick (a build that needs no broker message), which says nothing about the outage.
SYNC_BUILDS = "SELECT status FROM techdocs_docbuild WHERE id > %s AND reason = %s ORDER BY id"


def test_redis_outage_keeps_pages_serving_and_loses_no_job(cluster, servers):
    _, redis = servers
    assert readyz(cluster)[0] == 200
    # The docs check that registering the documented component queued has finished.
    wait_until(lambda: not open_builds(cluster), JOB_BOUND_SECONDS, "the first docs build did not finish")
    last_build = cluster.query("SELECT coalesce(max(id), 0) FROM techdocs_docbuild")[0][0]
    # Both workers busy with a run each, so the next run's message waits in Redis, where the
    # restart forgets it.
    busy = [start_run(cluster, "slow6"), start_run(cluster, "slow6")]
    wait_until(lambda: set(run_statuses(cluster, busy).values()) == {"processing"}, 30, "the slow runs did not start")
    queued = start_run(cluster, "fast")
    (cluster.root / "catalog" / "svc-a.yaml").write_text(component("changed while Redis was down"))

    redis.stop()
    try:
        status, body = readyz(cluster)
        assert status == 503
        assert body["failed"] == ["broker"]
        assert body["checks"]["database"]["ok"] is True

        assert page(cluster, "/catalog/")[0] == 200
        status, entity = call(cluster, "GET", "/api/catalog/entities/by-name/component/default/svc-a")
        assert status == 200 and entity["metadata"]["description"] == "first"

        # Jobs asked for now are accepted and queued, as Backstage (whose jobs live in its database) does.
        assert call(cluster, "POST", "/api/catalog/refresh", {"entityRef": "component:default/svc-a"})[0] == 200
        during = start_run(cluster, "fast")
        status, _ = call(cluster, "GET", "/api/techdocs/sync/default/component/documented-component")
        assert status == 202
        assert run_statuses(cluster, [during]) == {during: "open"}
        assert cluster.query(SYNC_BUILDS, (last_build, SYNC_REASON)) == [("queued",)]
    finally:
        redis.start()

    wait_until(lambda: readyz(cluster)[0] == 200, 30, "/readyz did not recover after Redis came back")

    def settled():
        runs = run_statuses(cluster, [*busy, queued, during])
        builds = cluster.query(SYNC_BUILDS, (last_build, SYNC_REASON))
        description = cluster.query(
            "SELECT body->'metadata'->>'description' FROM catalog_entity WHERE ref = 'component:default/svc-a'"
        )[0][0]
        return (
            set(runs.values()) == {"completed"}
            and len(builds) == 1
            and builds[0][0] in ("succeeded", "unchanged")
            and description == "changed while Redis was down"
        )

    wait_until(settled, JOB_BOUND_SECONDS, "a job asked for before or during the Redis outage did not finish")
    assert "Internal Server Error" not in web_log(cluster)


def test_a_worker_killed_mid_run_leaves_it_failed_and_the_queue_working(cluster):
    task_id = start_run(cluster, "slow60")

    def waiting_step_began():
        begun = cluster.query(
            "SELECT count(*) FROM scaffolder_taskevent WHERE task_id::text = %s AND step_id = 'wait'", (task_id,)
        )
        return begun[0][0] > 0

    wait_until(waiting_step_began, 30, "the slow run's step did not begin")
    # The whole worker tier dies at once (a node lost); its orchestrator starts a new worker.
    for worker in cluster.workers:
        if worker.poll() is None:
            cluster.kill_worker(worker)
    killed_at = time.monotonic()
    cluster.start_worker(concurrency=1)

    wait_until(
        lambda: run_statuses(cluster, [task_id]) == {task_id: "failed"},
        TASK_TIMEOUT + JOB_BOUND_SECONDS,
        "the killed run stayed processing",
    )
    assert time.monotonic() - killed_at < TASK_TIMEOUT + JOB_BOUND_SECONDS
    error = cluster.query("SELECT error FROM scaffolder_task WHERE id::text = %s", (task_id,))[0][0]
    assert error == "This task was marked as stale as it exceeded its timeout"
    after = start_run(cluster, "fast")
    wait_until(
        lambda: run_statuses(cluster, [after]) == {after: "completed"},
        JOB_BOUND_SECONDS,
        "a run asked for after the kill did not finish",
    )


def test_postgres_restart_answers_503_then_recovers_without_restarting_anything(cluster, servers):
    postgres, _ = servers
    reads = [lambda: call(cluster, "GET", "/api/catalog/entities/by-name/component/default/svc-a")[0]] * 2 * WEB_THREADS
    assert set(concurrently(reads)) == {200}

    postgres.stop()
    try:
        status, body = readyz(cluster)
        assert status == 503
        assert body["failed"] == ["database"]
        assert body["checks"]["broker"]["ok"] is True
        answers = concurrently(
            [lambda: page(cluster, "/catalog/")] * WEB_THREADS
            + [lambda: call(cluster, "GET", "/api/catalog/entities/by-name/component/default/svc-a")] * WEB_THREADS
        )
        pages, api = answers[:WEB_THREADS], answers[WEB_THREADS:]
        assert {status for status, _ in pages} == {503}
        assert all("temporarily unavailable" in text for _, text in pages), pages[0]
        assert {status for status, _ in api} == {503}
        assert {body["error"]["name"] for _, body in api} == {"ServiceUnavailableError"}
    finally:
        postgres.start()

    wait_until(lambda: readyz(cluster)[0] == 200, 30, "/readyz did not recover after PostgreSQL came back")
    # Every web thread now holds a pooled connection; restart the server under them.
    assert set(concurrently(reads)) == {200}
    postgres.stop()
    postgres.start()

    mixed = (
        [lambda: page(cluster, "/catalog/")[0]] * WEB_THREADS
        + reads
        + [lambda: call(cluster, "POST", "/api/catalog/refresh", {"entityRef": "component:default/svc-a"})[0]]
        * WEB_THREADS
    )
    assert set(concurrently(mixed)) == {200}
    after = start_run(cluster, "fast")
    wait_until(
        lambda: run_statuses(cluster, [after]) == {after: "completed"},
        JOB_BOUND_SECONDS,
        "a run asked for after the restart did not finish",
    )
    assert "Internal Server Error" not in web_log(cluster)
