"""The Tech Radar API, under ``/api/tech-radar/``."""

from django.urls import path

from .views import HealthView, RadarDataView, RadarEntryViewSet

entries = RadarEntryViewSet.as_view({"get": "list", "post": "create"})
entry = RadarEntryViewSet.as_view({"get": "retrieve", "patch": "partial_update"})

urlpatterns = [
    path("data", RadarDataView.as_view(), name="techradar-api-data"),
    path("data/<slug:slug>", RadarDataView.as_view(), name="techradar-api-radar-data"),
    path("health", HealthView.as_view(), name="techradar-api-health"),
    path("radars/<slug:slug>/entries/", entries, name="techradar-api-entries"),
    path("radars/<slug:slug>/entries/<str:key>/", entry, name="techradar-api-entry"),
]
