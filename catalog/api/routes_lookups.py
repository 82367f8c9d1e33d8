"""Greenroom's lookup routes beyond Backstage's API, relative to ``/api/catalog/``."""

from django.urls import path

from .history import EntityHistoryDiffView, EntityHistoryView
from .owners import OwnerLookupByNameView, OwnerLookupView
from .ownership_gaps import OwnershipGapsView

_BY_NAME = "entities/by-name/<str:kind>/<str:namespace>/<str:name>"

urlpatterns = [
    path("owners", OwnerLookupView.as_view(), name="owner-lookup"),
    path("ownership-gaps", OwnershipGapsView.as_view(), name="ownership-gaps"),
    path(
        "owners/<str:kind>/<str:namespace>/<str:name>",
        OwnerLookupByNameView.as_view(),
        name="owner-lookup-by-name",
    ),
    path(f"{_BY_NAME}/history", EntityHistoryView.as_view(), name="entity-history"),
    path(f"{_BY_NAME}/history/diff", EntityHistoryDiffView.as_view(), name="entity-history-diff"),
]
