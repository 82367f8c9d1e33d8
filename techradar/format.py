"""Backstage's tech-radar data format (``TechRadarLoaderResponse``): parse, validate and write it.

No Django here. A file is read as JSON or YAML, checked field by field the way Backstage's zod
schema checks it, and turned into ``RadarData``; every problem found is reported at once, each
message naming the field (``entries[3] "kafka".timeline[0].ringId``). Unknown keys are ignored,
as Backstage's parser drops them. ``radar_to_document`` writes the same shape back, leaving out the
optional fields that were absent, so a file read and written again compares equal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from catalog.formats.yaml_reader import YamlFileError, parse_documents

MAX_QUADRANTS = 4
MAX_RINGS = 8
MAX_ENTRIES = 2000
MAX_FILE_BYTES = 4 * 1024 * 1024
# Entry keys appear in URLs and tags: letters, digits, '.', '_' and '-'.
KEY_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
# Ring colours end up in SVG fill attributes: hex, rgb()/hsl() with plain numbers, or a colour name.
COLOR_PATTERN = re.compile(
    r"#[0-9A-Fa-f]{3,4}|#[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{8}|(?:rgb|rgba|hsl|hsla)\([0-9.,%\s/]{1,60}\)|[A-Za-z]{3,30}"
)
LINK_SCHEMES = ("http://", "https://", "mailto:")


class RadarFormatError(ValueError):
    """The file is not valid radar data; ``errors`` lists every problem, each naming its field."""

    def __init__(self, source: str, errors: list[str]) -> None:
        self.source = source
        self.errors = errors
        super().__init__(f"{source}: " + "; ".join(errors))


@dataclass(frozen=True)
class QuadrantData:
    key: str
    name: str


@dataclass(frozen=True)
class RingData:
    key: str
    name: str
    color: str
    description: str | None = None


@dataclass(frozen=True)
class TimelineData:
    ring: str
    date: datetime
    description: str | None = None
    moved: int | None = None


@dataclass(frozen=True)
class EntryData:
    key: str
    entry_id: str
    title: str
    quadrant: str
    timeline: tuple[TimelineData, ...]  # newest first, as in the file
    description: str | None = None
    links: tuple[dict[str, str], ...] | None = None
    url: str | None = None


@dataclass(frozen=True)
class RadarData:
    quadrants: tuple[QuadrantData, ...]
    rings: tuple[RingData, ...]
    entries: tuple[EntryData, ...] = field(default_factory=tuple)


def parse_radar_file(data: bytes, source: str) -> RadarData:
    """Read radar data from JSON or YAML bytes; raises ``RadarFormatError`` naming every problem."""
    if len(data) > MAX_FILE_BYTES:
        raise RadarFormatError(source, [f"file is {len(data)} bytes, more than the limit of {MAX_FILE_BYTES}"])
    stripped = data.lstrip()
    if stripped.startswith(b"{"):
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise RadarFormatError(source, [f"not valid JSON: {error}"]) from None
    else:
        try:
            documents = parse_documents(data, source=source, max_bytes=MAX_FILE_BYTES)
        except YamlFileError as error:
            raise RadarFormatError(source, [error.message]) from None
        if len(documents) != 1:
            raise RadarFormatError(source, [f"expected one YAML document, found {len(documents)}"])
        if documents[0].error:
            raise RadarFormatError(source, [documents[0].error])
        document = documents[0].data
    return validate_radar(document, source)


def validate_radar(document: Any, source: str = "radar data") -> RadarData:
    """Check a parsed document against Backstage's schema and return it as ``RadarData``."""
    checker = _Checker()
    if not isinstance(document, dict):
        raise RadarFormatError(
            source, [f"the file must hold an object with quadrants, rings and entries, not {_kind(document)}"]
        )
    quadrants = checker.quadrants(document.get("quadrants"))
    rings = checker.rings(document.get("rings"))
    entries = checker.entries(document.get("entries"), {q.key for q in quadrants}, {r.key for r in rings})
    if checker.errors:
        raise RadarFormatError(source, checker.errors)
    return RadarData(quadrants=tuple(quadrants), rings=tuple(rings), entries=tuple(entries))


def format_date(value: datetime) -> str:
    """JavaScript's ``Date.toISOString()``: UTC with milliseconds, as Backstage serialises dates."""
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_date(value: str) -> datetime:
    """An ISO 8601 date or timestamp; a time without zone is taken as UTC."""
    parsed = datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def radar_to_document(radar: RadarData) -> dict[str, Any]:
    """The ``{entries, quadrants, rings}`` object Backstage's tech-radar endpoint serves."""
    return {
        "entries": [_entry_document(entry) for entry in radar.entries],
        "quadrants": [{"id": quadrant.key, "name": quadrant.name} for quadrant in radar.quadrants],
        "rings": [_ring_document(ring) for ring in radar.rings],
    }


def _ring_document(ring: RingData) -> dict[str, Any]:
    document = {"id": ring.key, "name": ring.name, "color": ring.color}
    if ring.description is not None:
        document["description"] = ring.description
    return document


def _entry_document(entry: EntryData) -> dict[str, Any]:
    document: dict[str, Any] = {
        "timeline": [_timeline_document(item) for item in entry.timeline],
        "key": entry.key,
        "id": entry.entry_id,
        "title": entry.title,
        "quadrant": entry.quadrant,
    }
    if entry.links is not None:
        document["links"] = [dict(link) for link in entry.links]
    if entry.url is not None:
        document["url"] = entry.url
    if entry.description is not None:
        document["description"] = entry.description
    return document


def _timeline_document(item: TimelineData) -> dict[str, Any]:
    document: dict[str, Any] = {}
    if item.moved is not None:
        document["moved"] = item.moved
    document["ringId"] = item.ring
    document["date"] = format_date(item.date)
    if item.description is not None:
        document["description"] = item.description
    return document


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


class _Checker:
    """Collects every error rather than stopping at the first, so one run shows the author all of them."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def text(self, item: dict, key: str, where: str, *, required: bool = True, limit: int = 200) -> str | None:
        value = item.get(key)
        if value is None and key not in item and not required:
            return None
        if not isinstance(value, str):
            self.fail(f"{where}.{key}", f"must be a string, not {_kind(value)}")
            return None
        if required and not value.strip():
            self.fail(f"{where}.{key}", "must not be empty")
            return None
        if len(value) > limit:
            self.fail(f"{where}.{key}", f"must be at most {limit} characters")
            return None
        return value

    def items(self, value: Any, where: str, low: int, high: int) -> list:
        if not isinstance(value, list):
            self.fail(where, f"must be a list, not {_kind(value)}")
            return []
        if not low <= len(value) <= high:
            self.fail(where, f"must hold {low} to {high} items, not {len(value)}")
        return value

    def identifier(self, item: dict, where: str, seen: set[str]) -> str | None:
        key = self.text(item, "id", where, limit=100)
        if key is None:
            return None
        if not KEY_PATTERN.fullmatch(key):
            self.fail(f"{where}.id", f"{key!r} may hold only letters, digits, '.', '_' and '-'")
            return None
        if key in seen:
            self.fail(f"{where}.id", f"{key!r} is used twice")
            return None
        seen.add(key)
        return key

    def quadrants(self, value: Any) -> list[QuadrantData]:
        found, seen = [], set()
        for index, item in enumerate(self.items(value, "quadrants", 1, MAX_QUADRANTS)):
            where = f"quadrants[{index}]"
            if not isinstance(item, dict):
                self.fail(where, f"must be an object, not {_kind(item)}")
                continue
            key, name = self.identifier(item, where, seen), self.text(item, "name", where, limit=100)
            if key and name:
                found.append(QuadrantData(key, name))
        return found

    def rings(self, value: Any) -> list[RingData]:
        found, seen = [], set()
        for index, item in enumerate(self.items(value, "rings", 1, MAX_RINGS)):
            where = f"rings[{index}]"
            if not isinstance(item, dict):
                self.fail(where, f"must be an object, not {_kind(item)}")
                continue
            key, name = self.identifier(item, where, seen), self.text(item, "name", where, limit=100)
            color = self.text(item, "color", where, limit=64)
            if color is not None and not COLOR_PATTERN.fullmatch(color.strip()):
                self.fail(
                    f"{where}.color", f"{color!r} is not a colour this portal accepts (#hex, rgb(), hsl() or a name)"
                )
                color = None
            description = self.text(item, "description", where, required=False, limit=2000)
            if key and name and color:
                found.append(RingData(key, name, color.strip(), description))
        return found

    def entries(self, value: Any, quadrants: set[str], rings: set[str]) -> list[EntryData]:
        found, seen = [], set()
        for index, item in enumerate(self.items(value, "entries", 0, MAX_ENTRIES)):
            where = f"entries[{index}]"
            if not isinstance(item, dict):
                self.fail(where, f"must be an object, not {_kind(item)}")
                continue
            label = item.get("key") if isinstance(item.get("key"), str) else None
            if label:
                where = f'{where} "{label[:60]}"'
            entry = self.entry(item, where, quadrants, rings)
            if entry is None:
                continue
            if entry.key in seen:
                self.fail(f"{where}.key", f"{entry.key!r} is used by an earlier entry")
                continue
            seen.add(entry.key)
            found.append(entry)
        return found

    def entry(self, item: dict, where: str, quadrants: set[str], rings: set[str]) -> EntryData | None:
        errors_before = len(self.errors)
        key = self.text(item, "key", where)
        if key is not None and not KEY_PATTERN.fullmatch(key):
            self.fail(f"{where}.key", f"{key!r} may hold only letters, digits, '.', '_' and '-'")
        entry_id = self.text(item, "id", where)
        title = self.text(item, "title", where)
        quadrant = self.text(item, "quadrant", where, limit=100)
        if quadrant is not None and quadrant not in quadrants:
            self.fail(
                f"{where}.quadrant", f"unknown quadrant {quadrant!r}; the quadrants are {', '.join(sorted(quadrants))}"
            )
        description = self.text(item, "description", where, required=False, limit=20_000)
        url = self.text(item, "url", where, required=False, limit=1000)
        links = self.links(item, where) if "links" in item else None
        timeline = self.timeline(item.get("timeline"), f"{where}.timeline", rings)
        if len(self.errors) > errors_before:
            return None
        return EntryData(key, entry_id, title, quadrant, tuple(timeline), description, links, url)

    def links(self, item: dict, where: str) -> tuple[dict[str, str], ...] | None:
        found = []
        for index, link in enumerate(self.items(item.get("links"), f"{where}.links", 0, 50)):
            at = f"{where}.links[{index}]"
            if not isinstance(link, dict):
                self.fail(at, f"must be an object, not {_kind(link)}")
                continue
            url, title = self.text(link, "url", at, limit=1000), self.text(link, "title", at, limit=200)
            if url is not None and not url.strip().lower().startswith(LINK_SCHEMES):
                self.fail(f"{at}.url", f"{url[:80]!r} must be an http(s) or mailto URL")
                continue
            if url is not None and title is not None:
                found.append({"url": url, "title": title})
        return tuple(found)

    def timeline(self, value: Any, where: str, rings: set[str]) -> list[TimelineData]:
        found = []
        for index, item in enumerate(self.items(value, where, 1, 500)):
            at = f"{where}[{index}]"
            if not isinstance(item, dict):
                self.fail(at, f"must be an object, not {_kind(item)}")
                continue
            ring = self.text(item, "ringId", at, limit=100)
            if ring is not None and ring not in rings:
                self.fail(f"{at}.ringId", f"unknown ring {ring!r}; the rings are {', '.join(sorted(rings))}")
            date = self.date(item, at)
            description = self.text(item, "description", at, required=False, limit=20_000)
            moved = item.get("moved")
            if "moved" in item and (isinstance(moved, bool) or moved not in (-1, 0, 1)):
                self.fail(f"{at}.moved", f"must be -1, 0 or 1, not {moved!r}")
            elif ring in rings and date is not None:
                found.append(TimelineData(ring, date, description, moved))
        return found

    def date(self, item: dict, where: str) -> datetime | None:
        value = self.text(item, "date", where, limit=40)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.fail(f"{where}.date", f"{value!r} is not an ISO 8601 date")
            return None
