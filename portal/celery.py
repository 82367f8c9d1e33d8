"""The Celery application shared by every Greenroom app.

Tasks live beside the service they call (``catalog/tasks.py``); they are found by autodiscovery.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("greenroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
