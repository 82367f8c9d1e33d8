"""Extension points every Greenroom app fills from its ``AppConfig.ready()``, as an outside plugin would.

The registry imports no app: apps import the registry. Today it holds the sidebar's items; entity
page tabs, cards and home widgets join it as the portal grows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    """A sidebar entry: a label, the named URL it opens (with an optional query) and its place."""

    label: str
    url_name: str
    order: int = 100
    query: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name) + (f"?{self.query}" if self.query else "")


_NAV_ITEMS: dict[str, NavItem] = {}


def register_nav_item(item: NavItem) -> None:
    """Add (or replace, by label) a sidebar entry."""
    _NAV_ITEMS[item.label] = item


def nav_items() -> list[NavItem]:
    return sorted(_NAV_ITEMS.values(), key=lambda item: (item.order, item.label))
