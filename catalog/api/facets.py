"""``/entity-facets``: value counts for fields, over all or filtered entities."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.errors import InputError

from ..facets import facet_counts
from ..models import Entity
from . import params
from .predicates import predicate_q

MAX_FACETS = 50


class EntityFacetsView(APIView):
    """``GET /entity-facets?facet=kind&filter=...`` and ``POST`` with ``{facets, query}``."""

    is_read_only_post = True

    def get(self, request: Request) -> Response:
        facets = request.query_params.getlist("facet")
        self._check(facets)
        filters = request.query_params.getlist("filter")
        qs = Entity.objects.matching(params.filters(request))
        return Response({"facets": facet_counts(qs, facets, ["filter", filters])})

    def post(self, request: Request) -> Response:
        body = request.data if isinstance(request.data, dict) else {}
        facets = body.get("facets")
        if not isinstance(facets, list) or not all(isinstance(facet, str) for facet in facets):
            raise InputError("facets must be a non-empty list of strings")
        self._check(facets)
        query = body.get("query") or {}
        qs = Entity.objects.filter(predicate_q(query))
        return Response({"facets": facet_counts(qs, facets, ["query", query])})

    @staticmethod
    def _check(facets: list[str]) -> None:
        if not facets or not all(facet.strip() for facet in facets):
            raise InputError("at least one non-empty facet is required")
        if len(facets) > MAX_FACETS:
            raise InputError(f"at most {MAX_FACETS} facets per request")
