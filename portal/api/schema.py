"""What the OpenAPI document (``/api/schema/``, drf-spectacular) says about every operation.

Bearer tokens are declared as a security scheme, and every operation lists the error answers the
API's edge can give, in Backstage's error shape (``portal.api.errors``): 400 for a bad parameter or
body, 401 for a token that is not accepted, 403 for a refused permission, 404 where a path names
something, 413 where a body is taken. Views document their own successes and any other error.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Backstage's error shape",
    "required": ["error", "request", "response"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["name", "message"],
            "properties": {"name": {"type": "string"}, "message": {"type": "string"}},
        },
        "request": {
            "type": "object",
            "properties": {"method": {"type": "string"}, "url": {"type": "string"}},
        },
        "response": {
            "type": "object",
            "required": ["statusCode"],
            "properties": {"statusCode": {"type": "integer"}},
        },
    },
}
_ERROR_REF = {"$ref": "#/components/schemas/BackstageError"}
# Answers views document with ``extend_schema(responses=...)``.
OBJECT_LIST = OpenApiResponse({"type": "array", "items": {"type": "object"}}, description="a JSON array of objects")
NOT_FOUND = OpenApiResponse(_ERROR_REF, description="nothing found (NotFoundError)")
CONFLICT = OpenApiResponse(_ERROR_REF, description="conflicts with what is stored (ConflictError)")
CREATED = OpenApiResponse({"type": "object"}, description="created")
ACCEPTED = OpenApiResponse({"type": "object"}, description="accepted; the work is queued")
# Backstage's validate-entity answers an invalid entity with a list of errors, not one.
VALIDATION_ERRORS = OpenApiResponse(
    {
        "oneOf": [
            _ERROR_REF,
            {
                "type": "object",
                "required": ["errors"],
                "properties": {"errors": {"type": "array", "items": {"type": "object"}}},
            },
        ]
    },
    description="the body is refused (InputError), or the entity is invalid ({errors: [{name, message}]})",
)
_EDGE_ERRORS = {
    "400": "a parameter or the body is refused (InputError)",
    "401": "the token or session is not accepted (AuthenticationError)",
    "403": "not allowed for this user (NotAllowedError)",
}
_METHODS = ("get", "put", "post", "delete", "patch")


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """``portal.api.authentication.BearerTokenAuthentication`` as an HTTP bearer scheme."""

    target_class = "portal.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "an API token from /accounts/tokens/"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: the edge's error answers on every operation that does not list its own."""
    result.setdefault("components", {}).setdefault("schemas", {})["BackstageError"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in _METHODS:
                continue
            responses = operation.setdefault("responses", {})
            errors = dict(_EDGE_ERRORS)
            if "{" in path:
                errors["404"] = "nothing found at this path (NotFoundError)"
            if method in ("post", "put", "patch"):
                errors["413"] = "the body is larger than API_MAX_BODY_BYTES (PayloadTooLargeError)"
            for status, description in errors.items():
                responses.setdefault(status, _error(description))
    return result
