"""The entity page's actions, under the entity's own URL."""

from django.urls import path

from . import entity_action_views

app_name = "entity_actions"

NAME = "catalog/<str:kind>/<str:namespace>/<str:name>"

urlpatterns = [
    path(f"{NAME}/actions/refresh/", entity_action_views.EntityRefreshView.as_view(), name="refresh"),
    path(f"{NAME}/actions/unregister/", entity_action_views.EntityUnregisterView.as_view(), name="unregister"),
]
