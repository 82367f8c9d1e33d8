"""The TechDocs API, at Backstage's paths under ``/api/techdocs/``."""

from django.urls import path

from . import views

TRIPLET = "<str:namespace>/<str:kind>/<str:name>"

urlpatterns = [
    path(f"metadata/techdocs/{TRIPLET}", views.TechDocsMetadataView.as_view(), name="techdocs-api-metadata"),
    path(f"metadata/entity/{TRIPLET}", views.EntityMetadataView.as_view(), name="techdocs-api-entity"),
    path(f"static/docs/{TRIPLET}/<path:path>", views.StaticDocsView.as_view(), name="techdocs-api-static"),
    path(f"publish/{TRIPLET}", views.PublishView.as_view(), name="techdocs-api-publish"),
    path(f"sync/{TRIPLET}", views.SyncView.as_view(), name="techdocs-api-sync"),
]
