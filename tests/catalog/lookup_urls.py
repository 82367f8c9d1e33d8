"""The lookup routes mounted where the catalog API lives, for tests."""

from django.urls import include, path

urlpatterns = [path("api/catalog/", include("catalog.api.routes_lookups"))]
