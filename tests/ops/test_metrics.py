"""/metrics: protected, request and job metrics, database-derived catalog gauges, multiprocess mode."""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest
from celery import shared_task
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from catalog.services.locations import refresh_location, register_location, validate_location_spec
from portal.ops import exposition
from tests.conftest import component
from tests.ops.test_health import closed_port
from tests.ops.test_settings import REPO_ROOT

pytestmark = pytest.mark.django_db


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, keyed by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def scrape(client):
    def get(**headers: str) -> dict:
        response = client.get("/metrics", **headers)
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("text/plain; version=")
        return samples(response.content.decode())

    return get


def test_loopback_reads_metrics_without_token(client):
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200


def test_remote_caller_without_token_is_refused(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"METRICS_TOKEN" in response.content


def test_remote_caller_with_token_reads_metrics(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"

    response = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token")

    assert response.status_code == 200


def test_wrong_token_is_refused_even_from_loopback(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"

    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer guess")

    assert response.status_code == 401


def test_loopback_can_be_refused(client, settings):
    settings.METRICS_ALLOW_LOOPBACK = False

    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 401


def test_requests_are_counted_and_timed_by_view_name(client):
    before = sample("greenroom_http_requests_total", view="healthz", method="GET", status="200")
    timed_before = sample("greenroom_http_request_duration_seconds_count", view="healthz", method="GET")

    client.get("/healthz")
    client.get("/healthz")

    assert sample("greenroom_http_requests_total", view="healthz", method="GET", status="200") == before + 2
    assert sample("greenroom_http_request_duration_seconds_count", view="healthz", method="GET") == timed_before + 2


def test_unmatched_paths_share_one_label(client):
    before = sample("greenroom_http_requests_total", view="<unmatched>", method="GET", status="404")

    client.get("/no/such/page-1")
    client.get("/no/such/page-2")

    assert sample("greenroom_http_requests_total", view="<unmatched>", method="GET", status="404") == before + 2


@shared_task(name="tests.ops.succeed")
def succeed() -> str:
    return "done"


@shared_task(name="tests.ops.fail")
def fail() -> None:
    raise ValueError("broken on purpose")


def test_celery_jobs_are_counted_and_timed_by_task():
    # apply() runs the job in this process, through the same signals a worker sends.
    ok_before = sample("greenroom_celery_tasks_total", task="tests.ops.succeed", outcome="success")
    failed_before = sample("greenroom_celery_tasks_total", task="tests.ops.fail", outcome="failure")
    timed_before = sample("greenroom_celery_task_duration_seconds_count", task="tests.ops.succeed")

    succeed.apply()
    fail.apply()

    assert sample("greenroom_celery_tasks_total", task="tests.ops.succeed", outcome="success") == ok_before + 1
    assert sample("greenroom_celery_tasks_total", task="tests.ops.fail", outcome="failure") == failed_before + 1
    assert sample("greenroom_celery_task_duration_seconds_count", task="tests.ops.succeed") == timed_before + 1


def load(write_file, name: str, text: str):
    location = register_location(validate_location_spec("file", str(write_file(name, text))), trusted=True)
    refresh_location(location)
    return location


def test_catalog_gauges_come_from_the_database(scrape, write_file):
    load(write_file, "a.yaml", component("shop") + "---\n" + component("cart"))
    load(write_file, "b.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: Bad Name}\n")

    metrics = scrape()

    assert metrics[("greenroom_catalog_entities", (("kind", "Component"),))] == 2
    assert metrics[("greenroom_catalog_entities", (("kind", "Location"),))] == 2
    assert metrics[("greenroom_catalog_locations", (("status", "ok"),))] == 1
    assert metrics[("greenroom_catalog_locations", (("status", "error"),))] == 1
    assert metrics[("greenroom_catalog_locations", (("status", "pending"),))] == 0
    assert metrics[("greenroom_catalog_locations_never_refreshed", ())] == 0
    assert 0 <= metrics[("greenroom_catalog_refresh_lag_seconds", ())] < 60
    assert metrics[("greenroom_techdocs_builds", (("status", "failed"),))] == 0
    assert metrics[("greenroom_scaffolder_tasks", (("status", "completed"),))] == 0


def test_scrape_query_count_does_not_grow_with_the_catalog(client, write_file, django_assert_num_queries):
    # Entities, locations, entity providers, TechDocs builds, scaffolder runs: one query each.
    load(write_file, "a.yaml", component("shop"))
    with django_assert_num_queries(5):
        client.get("/metrics")

    load(write_file, "b.yaml", component("cart") + "---\n" + component("web") + "---\n" + component("api"))
    with django_assert_num_queries(5):
        client.get("/metrics")


def test_soundcheck_hook_is_exported(scrape):
    from portal.metrics import SOUNDCHECK_EVALUATION_SECONDS

    SOUNDCHECK_EVALUATION_SECONDS.labels("incremental").observe(0.02)

    assert scrape()[("soundcheck_evaluation_seconds_count", (("scope", "incremental"),))] >= 1


WRITER = """
from portal.metrics import CELERY_TASKS
CELERY_TASKS.labels("tests.ops.multiprocess", "success").inc(3)
"""


def test_multiprocess_mode_adds_up_every_process(tmp_path, monkeypatch):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {"PROMETHEUS_MULTIPROC_DIR": str(folder), "PATH": "/usr/bin:/bin"}
    for _ in range(2):
        subprocess.run([sys.executable, "-c", WRITER], cwd=REPO_ROOT, env=env, check=True, timeout=60)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))

    text = generate_latest(exposition.process_registry()).decode()

    metrics = samples(text)
    assert metrics[("greenroom_celery_tasks_total", (("outcome", "success"), ("task", "tests.ops.multiprocess")))] == 6


def test_worker_exporter_serves_job_metrics():
    port = closed_port()
    exposition.start_worker_exporter(port, "127.0.0.1")

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()

    assert "greenroom_celery_tasks_total" in text or "greenroom_celery_tasks_created" in text
    assert "greenroom_catalog_entities" not in text


def test_scrape_registry_without_multiprocess_includes_process_metrics(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)

    registry = exposition.scrape_registry()

    assert isinstance(registry, CollectorRegistry)
    assert "greenroom_http_requests_total" in generate_latest(registry).decode()
