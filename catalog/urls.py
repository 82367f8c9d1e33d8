"""The catalog's pages."""

from django.urls import path

from . import entity_page, register_views, star_views, views
from .pages.apis import ApiListView
from .pages.explore import ExploreView
from .pages.locations import LocationDetailView, LocationListView, LocationRefreshView
from .pages.ownership_gaps import OwnershipGapsView
from .pages.providers import ProviderListView, ProviderRefreshView

app_name = "catalog"

urlpatterns = [
    path("catalog/", views.EntityListView.as_view(), name="entity_list"),
    path("catalog/stars/", star_views.StarToggleView.as_view(), name="star_toggle"),
    path("catalog/ownership-gaps/", OwnershipGapsView.as_view(), name="ownership_gaps"),
    path("catalog/locations/", LocationListView.as_view(), name="location_list"),
    path("catalog/locations/<uuid:pk>/", LocationDetailView.as_view(), name="location_detail"),
    path("catalog/locations/<uuid:pk>/refresh/", LocationRefreshView.as_view(), name="location_refresh"),
    path("catalog/providers/", ProviderListView.as_view(), name="providers"),
    path("catalog/providers/refresh/", ProviderRefreshView.as_view(), name="provider_refresh"),
    path("catalog/register/", register_views.RegisterLocationView.as_view(), name="register_location"),
    path(
        "catalog/<str:kind>/<str:namespace>/<str:name>/", entity_page.EntityDetailView.as_view(), name="entity_detail"
    ),
    path(
        "catalog/<str:kind>/<str:namespace>/<str:name>/<slug:tab>/",
        entity_page.EntityDetailView.as_view(),
        name="entity_tab",
    ),
    path("apis/", ApiListView.as_view(), name="api_list"),
    path("explore/", ExploreView.as_view(), name="explore"),
    path("whois/", views.WhoisView.as_view(), name="whois"),
]
