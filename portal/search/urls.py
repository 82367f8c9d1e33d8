"""The search page and the header box's suggestions."""

from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("search/", views.SearchPageView.as_view(), name="page"),
    path("search/suggest/", views.SearchSuggestView.as_view(), name="suggest"),
]
