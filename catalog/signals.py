"""Signals the catalog sends, for apps that react to the catalog without it knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a location's refresh has been applied, with ``location`` and ``report`` (RefreshReport).
location_refreshed = Signal()
