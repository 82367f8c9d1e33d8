"""Routes of the catalog API under ``/api/catalog/`` (Backstage's paths)."""

from django.urls import path

from . import actions, entities, facets, locations, routes_lookups, routes_webhooks

app_name = "catalog-api"

NAME = "<str:kind>/<str:namespace>/<str:name>"

urlpatterns = [
    path("entities", entities.EntityListView.as_view(), name="entities"),
    path("entities/by-query", entities.EntityQueryView.as_view(), name="entities-by-query"),
    path("entities/by-refs", entities.EntitiesByRefsView.as_view(), name="entities-by-refs"),
    path("entities/by-uid/<str:uid>", entities.EntityByUidView.as_view(), name="entity-by-uid"),
    path(f"entities/by-name/{NAME}", entities.EntityByNameView.as_view(), name="entity-by-name"),
    path(f"entities/by-name/{NAME}/ancestry", entities.EntityAncestryView.as_view(), name="entity-ancestry"),
    path("entity-facets", facets.EntityFacetsView.as_view(), name="entity-facets"),
    path("locations", locations.LocationListView.as_view(), name="locations"),
    path("locations/by-query", locations.LocationQueryView.as_view(), name="locations-by-query"),
    path("locations/<str:location_id>", locations.LocationDetailView.as_view(), name="location"),
    path(f"locations/by-entity/{NAME}", locations.LocationByEntityView.as_view(), name="location-by-entity"),
    path("refresh", actions.RefreshView.as_view(), name="refresh"),
    path("validate-entity", actions.ValidateEntityView.as_view(), name="validate-entity"),
    path("analyze-location", actions.AnalyzeLocationView.as_view(), name="analyze-location"),
]

urlpatterns += routes_lookups.urlpatterns + routes_webhooks.urlpatterns
