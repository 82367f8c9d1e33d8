"""Top-level URL routes."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from portal.api.docs import ApiDocsView
from portal.plugin_views import PluginListView
from portal.plugins import plugin_urlpatterns
from portal.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    # Browsers ask for /favicon.ico on pages without an icon link (the admin, JSON answers).
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("portal/favicon.svg"), permanent=True, http_method_names=["get", "head"]),
        name="favicon",
    ),
    path("", include("portal.ops.urls")),
    # The API first: Django tries routes in order, and the pages below are some 200 patterns that
    # no /api/ path can match (tests/portal/test_url_order.py), tried on every API call when listed first.
    path("api/catalog/", include("catalog.api.urls")),
    path("api/scaffolder/v2/", include("scaffolder.api.urls")),
    path("api/techdocs/", include("techdocs.api.urls")),
    path("api/tech-radar/", include("techradar.api.urls")),
    path("api/search/", include("portal.search.api_urls")),
    path("api/soundcheck/", include("soundcheck.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("accounts/", include("portal.account_urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("catalog.urls")),
    path("", include("catalog.entity_action_urls")),
    path("", include("scaffolder.urls")),
    path("", include("techdocs.urls")),
    path("", include("techradar.urls")),
    path("", include("portal.search.urls")),
    path("", include("soundcheck.urls")),
    path("plugins/", PluginListView.as_view(), name="plugin_list"),
    *plugin_urlpatterns(),
]

# A database outage answers a clear 503 page (or Backstage-shaped JSON), not a server error.
handler500 = "portal.error_views.server_error"
# Under /api/, a path that matches no route answers in Backstage's error shape too.
handler404 = "portal.error_views.not_found"
