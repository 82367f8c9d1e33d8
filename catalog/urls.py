"""The catalog's pages."""

from django.urls import path

from . import entity_page, views

app_name = "catalog"

urlpatterns = [
    path("catalog/", views.EntityListView.as_view(), name="entity_list"),
    path(
        "catalog/<str:kind>/<str:namespace>/<str:name>/", entity_page.EntityDetailView.as_view(), name="entity_detail"
    ),
    path(
        "catalog/<str:kind>/<str:namespace>/<str:name>/<slug:tab>/",
        entity_page.EntityDetailView.as_view(),
        name="entity_tab",
    ),
    path("whois/", views.WhoisView.as_view(), name="whois"),
    path("search/", views.SearchSuggestView.as_view(), name="search"),
]
