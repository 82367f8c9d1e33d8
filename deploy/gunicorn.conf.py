"""gunicorn settings for the container's web process (``gunicorn -c deploy/gunicorn.conf.py``).

Worker count and port come from the environment (``WEB_CONCURRENCY``, ``PORT``). With
``PROMETHEUS_MULTIPROC_DIR`` set, each worker writes its metrics there and ``/metrics`` adds them up;
the folder is emptied at start-up and a dead worker's live gauges are dropped.
"""

import os
import shutil
from pathlib import Path

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Logs go to stdout/stderr, where the container runtime collects them; Django logs each request's id.
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server: object) -> None:
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        # Files left by a previous run would be added to this run's counters.
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True, exist_ok=True)


def child_exit(server: object, worker: object) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
