"""Reading query parameters the way Backstage's catalog API takes them, refusing bad ones clearly."""

from __future__ import annotations

from rest_framework.request import Request

from portal.api.errors import InputError

from ..formats.filter_syntax import FilterClause, FilterSyntaxError, parse_filters

MAX_LIMIT = 10_000


def repeated(request: Request, name: str) -> list[str]:
    """All values of a parameter that may repeat and may hold comma lists (``fields=a,b&fields=c``)."""
    return [part.strip() for value in request.query_params.getlist(name) for part in value.split(",") if part.strip()]


def filters(request: Request) -> list[FilterClause]:
    try:
        return parse_filters(request.query_params.getlist("filter"))
    except FilterSyntaxError as error:
        raise InputError(str(error)) from None


def fields(values: list[str]) -> list[str]:
    for field in values:
        if "[" in field:
            raise InputError(f"invalid field {field!r}: array type fields are not supported")
    return values


def integer(request: Request, name: str, *, default: int | None, minimum: int, maximum: int = MAX_LIMIT) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum or value > maximum:
        raise InputError(f"{name} must be between {minimum} and {maximum}, not {value}")
    return value
