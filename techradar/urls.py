"""The Tech Radar pages."""

from django.urls import path  # noqa: F401

app_name = "techradar"

urlpatterns: list = []
