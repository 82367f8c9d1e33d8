"""The webhook routes alone under ``/api/catalog/``, for tests that need no other endpoint."""

from django.urls import include, path

urlpatterns = [path("api/catalog/", include("catalog.api.routes_webhooks"))]
