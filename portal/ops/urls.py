"""Operational endpoints at the root of the site: ``/healthz``, ``/readyz``, ``/metrics``."""

from django.urls import path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
