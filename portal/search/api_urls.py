"""Backstage's search API, mounted at ``/api/search/``."""

from django.urls import path

from .api import SearchQueryView

app_name = "search-api"

urlpatterns = [path("query", SearchQueryView.as_view(), name="query")]
