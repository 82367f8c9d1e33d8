"""The quick-links home widget: the places people look for first, and the locations that failed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Location


def quick_links_context(request: HttpRequest) -> dict[str, Any]:
    """Links, plus the registered locations that failed their last refresh (two queries)."""
    return {
        "location_count": Location.objects.count(),
        "failing_locations": list(Location.objects.filter(status=Location.Status.ERROR).only("type", "target")),
    }
