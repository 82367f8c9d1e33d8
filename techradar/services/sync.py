"""Keeping a radar in step with a data file in a repository (``TECH_RADAR["SOURCES"]``).

Files are read with the catalog's hardened readers (confined file paths, git without shelling out
here, SSRF checks on remotes), so a radar source is exactly as safe as a catalog location.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from catalog.config import reader_policy
from catalog.formats.readers import read_location

from ..format import RadarFormatError, parse_radar_file
from ..models import Radar
from .exchange import import_radar


@dataclass(frozen=True)
class RadarSource:
    """A radar file to sync: ``type`` ``file`` (a path) or ``url`` (a git target, as catalog locations)."""

    radar: str
    type: str
    target: str
    title: str = ""

    @property
    def key(self) -> str:
        return f"{self.type}:{self.target}"


def radar_sources() -> list[RadarSource]:
    """The configured sources, checked so a typo fails loudly at the first sync rather than silently."""
    sources = []
    for index, item in enumerate(settings.TECH_RADAR["SOURCES"]):
        if not isinstance(item, dict) or item.get("type") not in ("file", "url") or not item.get("target"):
            raise ImproperlyConfigured(f"TECH_RADAR SOURCES[{index}] needs type 'file' or 'url' and a target: {item!r}")
        sources.append(
            RadarSource(
                radar=str(item.get("radar") or settings.TECH_RADAR["DEFAULT_RADAR"]),
                type=item["type"],
                target=str(item["target"]),
                title=str(item.get("title") or ""),
            )
        )
    return sources


def sync_radar_source(source: RadarSource) -> dict[str, Any]:
    """Read the source's file and replace its radar; on failure the radar keeps its data and the error.

    Returns ``{"radar", "ok", "errors"}``. Running it twice with the same file changes nothing visible.
    """
    # Sources come from settings, so they may be local (under CATALOG_LOCAL_ROOTS).
    result = read_location(source.type, source.target, reader_policy(trusted=True))
    errors = [error.message for error in result.errors]
    if not errors and len(result.files) != 1:
        errors = [f"{source.key} must name exactly one file; it matched {len(result.files)}"]
    if not errors:
        try:
            data = parse_radar_file(result.files[0].data, result.files[0].location_key)
        except RadarFormatError as error:
            errors = [f"{error.source}: {message}" for message in error.errors]
        else:
            radar = import_radar(data, source.radar, title=source.title, actor_note=source.key)
            Radar.objects.filter(pk=radar.pk).update(source=source.key, synced_at=timezone.now(), sync_error="")
            return {"radar": source.radar, "ok": True, "errors": []}
    Radar.objects.filter(slug=source.radar).update(source=source.key, sync_error="\n".join(errors)[:10_000])
    return {"radar": source.radar, "ok": False, "errors": errors}
