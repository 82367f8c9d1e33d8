"""Operational endpoints at the root of the site: ``/healthz``, ``/readyz``, ``/metrics``."""

from django.urls import path

from . import metrics_view, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics_view.metrics, name="metrics"),
]
