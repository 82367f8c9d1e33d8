"""The Celery application shared by every Greenroom app.

Tasks live beside the service they call (``catalog/tasks.py``) under explicit, stable names
(``catalog.refresh_location``); services send them by name (``portal.jobs.send_job``). Workers find
them by autodiscovery at start-up; a web process imports them on its first send (``discover_tasks``).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

# Task modules outside an installed app's own ``tasks.py``, which autodiscovery finds by itself.
TASK_PACKAGES = ["portal.search"]

app = Celery("greenroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(TASK_PACKAGES)


def discover_tasks() -> None:
    """Import every tasks module now (a worker does so at start-up; Django must be set up)."""
    app.autodiscover_tasks(force=True)
    app.autodiscover_tasks(TASK_PACKAGES, force=True)
