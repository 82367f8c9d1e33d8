"""Greenroom's project package: settings, URLs, the Celery app and the shell."""

from .celery import app as celery_app

__all__ = ["celery_app"]
