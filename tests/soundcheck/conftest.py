"""Fixtures for Soundcheck: a small catalog read from files, checks and tracks built in the test."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from soundcheck.models import Check, Level, Track
from soundcheck.rules import parse_rule


def descriptor(name: str, *, kind: str = "Component", owner: str = "team-a", **spec: object) -> str:
    """One entity as YAML, with ``tags`` and ``description`` taken into metadata."""
    tags = spec.pop("tags", None)
    description = spec.pop("description", None)
    metadata = f"  name: {name}\n"
    if tags:
        metadata += "  tags: [" + ", ".join(tags) + "]\n"  # type: ignore[arg-type]
    if description:
        metadata += f"  description: {description}\n"
    body = {"type": "service", "lifecycle": "production", "owner": owner, **spec}
    spec_text = "".join(f"  {key}: {value}\n" for key, value in body.items() if value is not None)
    return f"apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n{metadata}spec:\n{spec_text}"


@pytest.fixture
def make_catalog(write_file, db) -> Callable[..., None]:
    """Register and refresh one file location holding the given descriptors."""
    from catalog.services import refresh_location, register_location, validate_location_spec

    counter = [0]

    def make(*descriptors: str) -> None:
        counter[0] += 1
        path = write_file(f"catalog-{counter[0]}.yaml", "---\n".join(descriptors))
        location = register_location(validate_location_spec("file", str(path)))
        refresh_location(location)

    return make


def make_check(key: str, rule: dict, **fields: object) -> Check:
    return Check.objects.create(key=key, name=key.replace("-", " ").title(), rule=parse_rule(rule), **fields)


def make_track(key: str, levels: list[list[Check]], entity_filter: dict | None = None) -> Track:
    track = Track.objects.create(key=key, name=key.title(), entity_filter=entity_filter or {})
    for ordinal, checks in enumerate(levels, start=1):
        level = Level.objects.create(track=track, ordinal=ordinal, name=f"L{ordinal}")
        level.checks.set(checks)
    return track
