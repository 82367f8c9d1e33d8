"""The catalog's own entity page tabs beyond the overview: Relations and Dependencies.

Registered in ``CatalogConfig.ready()`` through ``portal.registry``, as any plugin's tabs are;
each function below is a tab's ``context``, and its dict reaches the tab template as ``data``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .graph import GRAPH_DEPTHS, parse_depth, relations_graph
from .lookups.dependencies import failure_impact
from .models import Entity

# Kinds a failure travels through: dependsOn and dependencyOf (components, resources, AI
# resources) and provided or consumed APIs.
DEPENDENCY_KINDS = frozenset({"component", "resource", "api", "airesource"})


def relations_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    """The relations graph at the depth asked for in ``?depth=`` (1 to 3)."""
    depth, depth_error = parse_depth(request.GET.get("depth"))
    return {
        "graph": relations_graph(entity.ref, entity.display_title, depth=depth),
        "depth": depth,
        "depths": GRAPH_DEPTHS,
        "depth_error": depth_error,
    }


def has_dependencies(entity: Entity) -> bool:
    return entity.kind.lower() in DEPENDENCY_KINDS


def dependencies_context(request: HttpRequest, entity: Entity) -> dict[str, Any]:
    """What fails when the entity fails, and what it fails with, each with its owner."""
    return failure_impact(entity.ref)
