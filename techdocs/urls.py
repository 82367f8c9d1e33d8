"""The TechDocs pages."""

from django.urls import path

from . import views

app_name = "techdocs"

urlpatterns = [
    path("docs/", views.DocsIndexView.as_view(), name="index"),
    path("docs-assets/<str:namespace>/<str:kind>/<str:name>/<path:path>", views.DocsAssetView.as_view(), name="asset"),
    path("docs-rebuild/<str:namespace>/<str:kind>/<str:name>/", views.RebuildView.as_view(), name="rebuild"),
    path("docs/<str:namespace>/<str:kind>/<str:name>/", views.EntityDocsView.as_view(), name="entity_docs"),
    path("docs/<str:namespace>/<str:kind>/<str:name>/<path:page>", views.EntityDocsView.as_view(), name="docs_page"),
]
