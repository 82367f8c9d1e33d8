"""Greenroom's lookup routes beyond Backstage's API, relative to ``/api/catalog/``."""

from django.urls import path

from .owners import OwnerLookupByNameView, OwnerLookupView

urlpatterns = [
    path("owners", OwnerLookupView.as_view(), name="owner-lookup"),
    path(
        "owners/<str:kind>/<str:namespace>/<str:name>",
        OwnerLookupByNameView.as_view(),
        name="owner-lookup-by-name",
    ),
]
