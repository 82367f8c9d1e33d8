"""Soundcheck pages."""

from django.urls import path  # noqa: F401

app_name = "soundcheck"

urlpatterns: list = []
