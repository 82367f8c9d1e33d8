"""Soundcheck REST API."""

from django.urls import path  # noqa: F401

app_name = "soundcheck-api"

urlpatterns: list = []
