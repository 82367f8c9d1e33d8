"""Soundcheck REST API, mounted at ``/api/soundcheck/``."""

from django.urls import path

from . import views

app_name = "soundcheck-api"

urlpatterns = [
    path("entities/<str:kind>/<str:namespace>/<str:name>", views.EntityResultsView.as_view(), name="entity"),
    path("owners/<str:kind>/<str:namespace>/<str:name>", views.OwnerResultsView.as_view(), name="owner"),
    path("checks", views.CheckListView.as_view(), name="checks"),
    path("checks/<slug:key>/results", views.CheckResultsView.as_view(), name="check-results"),
    path("tracks", views.TrackListView.as_view(), name="tracks"),
    path("facts", views.FactsView.as_view(), name="facts"),
    path("facts/junit", views.JUnitView.as_view(), name="facts-junit"),
    path("facts/coverage", views.CoverageView.as_view(), name="facts-coverage"),
]
