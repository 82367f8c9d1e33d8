"""Routes of the catalog API under ``/api/catalog/`` (Backstage's paths)."""

from django.urls import path  # noqa: F401 - routes are added per endpoint module

app_name = "catalog-api"

urlpatterns: list = []
