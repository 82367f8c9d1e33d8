"""Errors in Backstage's shape, so Backstage's clients read Greenroom's failures as their own.

Every API error body is ``{"error": {"name", "message"}, "request": {"method", "url"},
"response": {"statusCode"}}``, with Backstage's names and status codes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApiError(exceptions.APIException):
    """An error with a Backstage error name; subclasses fix the name and the status."""

    name = "Error"

    def __init__(self, message: str) -> None:
        super().__init__(detail=message)
        self.message = message


class InputError(ApiError):
    name = "InputError"
    status_code = status.HTTP_400_BAD_REQUEST


class NotFoundError(ApiError):
    name = "NotFoundError"
    status_code = status.HTTP_404_NOT_FOUND


class ConflictError(ApiError):
    name = "ConflictError"
    status_code = status.HTTP_409_CONFLICT


class AuthenticationError(ApiError):
    name = "AuthenticationError"
    status_code = status.HTTP_401_UNAUTHORIZED


class ServiceUnavailableError(ApiError):
    name = "ServiceUnavailableError"
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


class NotAllowedError(ApiError):
    name = "NotAllowedError"
    status_code = status.HTTP_403_FORBIDDEN


class PayloadTooLargeError(ApiError):
    name = "PayloadTooLargeError"
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


_NAMES: list[tuple[type[Exception], str]] = [
    (exceptions.NotAuthenticated, "AuthenticationError"),
    (exceptions.AuthenticationFailed, "AuthenticationError"),
    (exceptions.PermissionDenied, "NotAllowedError"),
    (exceptions.NotFound, "NotFoundError"),
    (exceptions.MethodNotAllowed, "MethodNotAllowedError"),
    (exceptions.UnsupportedMediaType, "UnsupportedMediaTypeError"),
    (exceptions.NotAcceptable, "NotAcceptableError"),
    (exceptions.Throttled, "TooManyRequestsError"),
    (exceptions.ParseError, "InputError"),
    (exceptions.ValidationError, "InputError"),
]


def _message(detail: Any) -> str:
    """Flatten DRF's error detail (str, list or field dict) into one readable sentence."""
    if isinstance(detail, dict):
        return "; ".join(
            f"{field}: {_message(value)}" if field != "non_field_errors" else _message(value)
            for field, value in detail.items()
        )
    if isinstance(detail, list):
        return "; ".join(_message(item) for item in detail)
    return str(detail)


def error_body(request: Any, status_code: int, name: str, message: str) -> dict[str, Any]:
    return {
        "error": {"name": name, "message": message},
        "request": {"method": request.method, "url": request.get_full_path()},
        "response": {"statusCode": status_code},
    }


def body_too_large_message() -> str:
    """The 413 sentence: the limit in bytes and the setting that changes it (Django's own names neither)."""
    return (
        f"request body is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} byte limit"
        " (the server's API_MAX_BODY_BYTES setting)"
    )


def backstage_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler, answering in Backstage's error shape."""
    request = context["request"]
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLargeError(body_too_large_message())
    elif isinstance(exc, Http404):
        exc = NotFoundError(str(exc) or "not found")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = NotAllowedError(str(exc) or "not allowed")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ApiError):
        name, message = exc.name, exc.message
    else:
        name = next((label for kind, label in _NAMES if isinstance(exc, kind)), type(exc).__name__)
        message = _message(getattr(exc, "detail", str(exc)))
    response.data = error_body(request, response.status_code, name, message)
    return response
