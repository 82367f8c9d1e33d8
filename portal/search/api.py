"""Backstage's search endpoint, ``GET /api/search/query``, in its request and response shapes.

Parameters as Backstage's clients send them (the ``qs`` library's style): ``term``,
``types[0]=...`` (or ``types[]``/``types``), ``filters[kind]=...`` (or ``filters[kind][0]``),
``pageCursor`` (opaque; here base64 of ``{"page": n}``) and ``pageLimit`` (1 to 100, default 25).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import InputError

from .backends import get_backend
from .query import QueryError, build_query
from .results import api_document, api_highlight

DEFAULT_PAGE_LIMIT = 25
MAX_PAGE_LIMIT = 100
MAX_PAGE = 10_000
_TYPES_KEY = re.compile(r"^types(\[\d*\])?$")
_FILTER_KEY = re.compile(r"^filters\[([^\[\]]+)\](\[\d*\])?$")


def encode_cursor(page: int) -> str:
    return base64.b64encode(json.dumps({"page": page}).encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The page a cursor from this API points at; ``InputError`` for anything else."""
    try:
        page = json.loads(base64.b64decode(cursor.encode(), validate=True))["page"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeError):
        raise InputError("pageCursor: not a cursor returned by this API") from None
    if not isinstance(page, int) or isinstance(page, bool) or not 0 <= page <= MAX_PAGE:
        raise InputError("pageCursor: not a cursor returned by this API")
    return page


def _page_limit(value: str | None) -> int:
    if value in (None, ""):
        return DEFAULT_PAGE_LIMIT
    try:
        limit = int(value)
    except ValueError:
        raise InputError(f"pageLimit: must be a whole number from 1 to {MAX_PAGE_LIMIT}") from None
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        raise InputError(f"pageLimit: must be a whole number from 1 to {MAX_PAGE_LIMIT}")
    return limit


def parse_parameters(params) -> tuple[str, list[str], dict[str, list[str]]]:
    """``term``, ``types`` and ``filters`` from a query string in any of qs's array styles."""
    types: list[str] = []
    filters: dict[str, list[str]] = {}
    for key in params:
        if _TYPES_KEY.match(key):
            types += params.getlist(key)
        elif found := _FILTER_KEY.match(key):
            filters.setdefault(found.group(1), []).extend(params.getlist(key))
        elif key.startswith("filters"):
            raise InputError(f"{key}: write filters as filters[field]=value")
    return params.get("term", ""), types, filters


class SearchQueryView(APIView):
    """Search every result type; ranked results with highlights, a page at a time."""

    def get(self, request: Request) -> Response:
        term, types, filters = parse_parameters(request.query_params)
        try:
            query = build_query(term, types, filters)
        except QueryError as problem:
            raise InputError(str(problem)) from None
        page = decode_cursor(request.query_params["pageCursor"]) if "pageCursor" in request.query_params else 0
        limit = _page_limit(request.query_params.get("pageLimit"))
        found = get_backend().search(query, offset=page * limit, limit=limit)
        # Tags unlikely to occur in any text, fresh per response, as Backstage's engines do.
        marker = secrets.token_hex(6)
        pre_tag, post_tag = f"<{marker}>", f"</{marker}>"
        body: dict[str, Any] = {
            "results": [
                {
                    "type": hit.type,
                    "document": api_document(hit),
                    "highlight": api_highlight(hit, query.words, pre_tag, post_tag),
                    "rank": page * limit + position + 1,
                }
                for position, hit in enumerate(found.hits)
            ],
            "numberOfResults": found.total,
        }
        # numberOfResults may be an estimate (a broad search on PostgreSQL): the cursor follows the hits.
        if found.has_more:
            body["nextPageCursor"] = encode_cursor(page + 1)
        if page > 0:
            body["previousPageCursor"] = encode_cursor(page - 1)
        return Response(body)
