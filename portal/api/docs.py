"""The interactive API documentation (Swagger UI), served from the portal itself.

Swagger UI's files come from drf-spectacular-sidecar's static files rather than a CDN, and its start
script is a separate request (the "split" view), so the portal's ``script-src 'self'`` holds on this
page too. Its template carries one inline ``<style>`` block, so this page alone allows inline styles.
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularSwaggerSplitView

from portal.security_headers import DEFAULT_POLICY, policy_header

API_DOCS_POLICY = policy_header({**DEFAULT_POLICY, "style-src": "'self' 'unsafe-inline'"})


class ApiDocsView(SpectacularSwaggerSplitView):
    """``/api/docs/``: Swagger UI on the OpenAPI schema at ``/api/schema/``."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = API_DOCS_POLICY
        return response
