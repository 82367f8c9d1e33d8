"""The TechDocs pages."""

from django.urls import path  # noqa: F401

app_name = "techdocs"

urlpatterns: list = []
