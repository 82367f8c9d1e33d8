"""The git webhook: a verified push refreshes the locations that read the pushed branch; a GitHub
``repository`` event (created, deleted, ...) makes the discovery providers of its organisation due.

The signature (or GitLab's token) is the authentication, so the view has no session, CSRF or
token authentication of its own. Only the lookup runs in the request; refreshes are queued.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import AuthenticationError, InputError, ServiceUnavailableError
from portal.audit import acting_as, webhook_actor
from portal.throttles import WebhookThrottle

from ..services.refresh_requests import request_refresh
from ..services.repository_events import request_discovery_runs
from ..services.webhooks import locations_for_push
from ..webhooks import GITEA, PayloadError, RepositoryEvent, SignatureError, read_delivery


def repository_event_response(request: Request, event: RepositoryEvent) -> Response:
    """Mark the discovery providers ``event`` concerns as due; 202 if any, 200 if none."""
    with acting_as(webhook_actor(request)):
        due = request_discovery_runs(event)
    return Response(
        {"providers": due, "repository": event.full_name, "action": event.action},
        status=status.HTTP_202_ACCEPTED if due else status.HTTP_200_OK,
    )


class GitWebhookView(APIView):
    """``POST /api/catalog/webhooks/git``: pushes from GitHub, GitLab, Gitea and Forgejo."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [WebhookThrottle]

    @extend_schema(
        summary="Refresh the locations of a pushed git repository",
        request=OpenApiTypes.OBJECT,
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="verified; nothing to refresh"),
            202: OpenApiResponse(OpenApiTypes.OBJECT, description="refreshes queued, or discovery providers made due"),
            400: OpenApiResponse(description="not JSON, or not a git webhook"),
            401: OpenApiResponse(description="missing or wrong signature or token"),
            429: OpenApiResponse(description="more deliveries from this address than RATE_LIMIT_WEBHOOK"),
            413: OpenApiResponse(description="body larger than API_MAX_BODY_BYTES"),
            503: OpenApiResponse(description="CATALOG_WEBHOOK_SECRET is not set"),
        },
        auth=[],
        operation_id="catalog_webhooks_git",
    )
    def post(self, request: Request, provider: str | None = None) -> Response:
        secret = settings.CATALOG_WEBHOOK_SECRET
        if not secret:
            raise ServiceUnavailableError("webhooks are not configured: set CATALOG_WEBHOOK_SECRET")
        # The raw bytes are what the forge signed; reading them is also where oversized bodies stop.
        body = request.body
        if provider == "forgejo":
            provider = GITEA
        try:
            delivery = read_delivery(
                request.headers, body, secret, content_type=request.content_type, provider=provider
            )
        except SignatureError as error:
            raise AuthenticationError(str(error)) from None
        except PayloadError as error:
            raise InputError(str(error)) from None
        if delivery.repository_event is not None:
            return repository_event_response(request, delivery.repository_event)
        push = delivery.push
        if push is None:
            return Response({"refreshing": [], "ignored": delivery.reason})
        locations = locations_for_push(push)
        with acting_as(webhook_actor(request)):
            for location in locations:
                request_refresh(location, reason=f"push to {push.repository}")
        return Response(
            {
                "refreshing": [location.location_ref for location in locations],
                "repository": push.repository,
                "branch": push.branch,
                "commit": push.commit,
            },
            status=status.HTTP_202_ACCEPTED if locations else status.HTTP_200_OK,
        )


@extend_schema_view(
    post=extend_schema(
        operation_id="catalog_webhooks_git_provider",
        parameters=[
            OpenApiParameter(
                "provider",
                str,
                OpenApiParameter.PATH,
                enum=["github", "gitlab", "gitea", "forgejo"],
                description="the forge; a delivery whose headers name another is refused (400)",
            )
        ],
    )
)
class GitProviderWebhookView(GitWebhookView):
    """The same endpoint with the forge pinned by the path (``forgejo`` and ``gitea`` are one)."""
