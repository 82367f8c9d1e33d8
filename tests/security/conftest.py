"""Helpers shared by the security tests: every URL pattern of the project, with sample arguments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    """One URL pattern: its dotted name, a concrete path, and the view callable."""

    name: str
    path: str
    callback: object


_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_SAMPLES = {
    "int": "1",
    "slug": "sample",
    "str": "sample",
    "path": "sample/file",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}


def _sample(match: re.Match[str]) -> str:
    converter = match.group("converter") or "str"
    if converter == "git_provider":
        return "github"
    return _SAMPLES.get(converter, "sample")


def _concrete(route: str) -> str | None:
    """A path for a ``path()`` route; None for regular-expression routes (the admin's, allauth's)."""
    if route.startswith("^"):
        return None
    return _CONVERTER.sub(_sample, route)


def iter_routes(resolver: URLResolver | None = None, prefix: str = "/", namespace: str = "") -> Iterator[Route]:
    """Every ``path()`` route of the project with a concrete path."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        piece = _concrete(str(entry.pattern))
        if piece is None:
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_routes(entry, prefix + piece, inner)
        elif isinstance(entry, URLPattern):
            yield Route(f"{namespace}{entry.name or ''}", prefix + piece, entry.callback)


@pytest.fixture
def routes() -> list[Route]:
    return list(iter_routes())


@pytest.fixture
def signed_in(client, django_user_model):
    """A client signed in as an ordinary user, not staff."""
    client.force_login(django_user_model.objects.create_user("alice"))
    return client


@pytest.fixture
def load_descriptor(write_file):
    """Register and refresh a file location holding the given (dedented) YAML."""
    from catalog.services import refresh_location, register_location, validate_location_spec

    def load(text: str) -> None:
        path = write_file("catalog-info.yaml", text)
        refresh_location(register_location(validate_location_spec("file", str(path)), trusted=True))

    return load
