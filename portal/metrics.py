"""Prometheus metrics every Greenroom process records (docs/operations.md lists them all).

Import a metric from here and record it; ``/metrics`` (web) and the worker's metrics port export it.
With ``PROMETHEUS_MULTIPROC_DIR`` set, each process writes its values to that folder and the exporter
adds them up, so gunicorn workers and prefork Celery children all count.

Soundcheck records its evaluation time here::

    from portal.metrics import SOUNDCHECK_EVALUATION_SECONDS

    with SOUNDCHECK_EVALUATION_SECONDS.labels("incremental").time():
        evaluate_refs(refs)

Catalog sizes, refresh lag, processing errors and job states are read from the database when
``/metrics`` is scraped (``catalog.metrics_collectors``, registered through ``portal.registry``), so
they are right whichever process changed them.
"""

from prometheus_client import Counter, Histogram

# Views answer in milliseconds to seconds; builds and runs take seconds to minutes.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
JOB_BUCKETS = (0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)

HTTP_REQUESTS = Counter(
    "greenroom_http_requests",
    "HTTP requests answered, by URL pattern name, method and status code.",
    ["view", "method", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "greenroom_http_request_duration_seconds",
    "Time from request to response, by URL pattern name and method.",
    ["view", "method"],
    buckets=REQUEST_BUCKETS,
)
CELERY_TASKS_PUBLISHED = Counter(
    "greenroom_celery_tasks_published", "Background jobs sent to the broker, by task name.", ["task"]
)
CELERY_PUBLISH_FAILURES = Counter(
    "greenroom_celery_publish_failures",
    "Background jobs that could not be sent because the broker was unreachable, by task name.",
    ["task"],
)
CELERY_TASKS = Counter(
    "greenroom_celery_tasks",
    "Background jobs finished, by task name and outcome (success, failure, retry, ...).",
    ["task", "outcome"],
)
CELERY_TASK_SECONDS = Histogram(
    "greenroom_celery_task_duration_seconds",
    "Run time of background jobs, by task name (techdocs.build is a docs build, scaffolder.run_task a run).",
    ["task"],
    buckets=JOB_BUCKETS,
)
SOUNDCHECK_EVALUATION_SECONDS = Histogram(
    "soundcheck_evaluation_seconds",
    "Time of one Soundcheck evaluation: every entity (scope=full) or some after a change (scope=incremental).",
    ["scope"],
    # One entity takes milliseconds, the whole catalog up to minutes.
    buckets=(*REQUEST_BUCKETS, 30.0, 60.0, 120.0, 300.0, 600.0),
)
