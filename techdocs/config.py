"""TechDocs settings with their defaults, and the reader policy a docs source is fetched under."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings

from catalog.config import reader_policy
from catalog.formats.readers import ReaderPolicy

DEFAULTS: dict[str, Any] = {
    "BUILDER": "local",
    "ALLOWED_PLUGINS": ["techdocs-core", "search"],
    "BUILD_TIMEOUT": 300,
    "BUILD_MEMORY_BYTES": 2 * 1024 * 1024 * 1024,
    "MAX_FILE_BYTES": 20 * 1024 * 1024,
    "MAX_SOURCE_BYTES": 100 * 1024 * 1024,
    "MAX_SOURCE_FILES": 5_000,
    "MAX_SITE_BYTES": 200 * 1024 * 1024,
    "MAX_UPLOAD_BYTES": 50 * 1024 * 1024,
    "NETWORK_SANDBOX": "auto",
    "SYNC_WAIT_SECONDS": 25,
    "MAX_README_BYTES": 512 * 1024,
}

TECHDOCS_ANNOTATION = "backstage.io/techdocs-ref"


def techdocs_settings() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "TECHDOCS", {})}


def source_policy() -> ReaderPolicy:
    """The catalog's reader policy (hosts, SSRF checks, git cache) with the docs source limits.

    Trusted for local targets, since ``dir:`` sources read the entity's own location (admitted when it
    was registered); ``url:`` sources drop that trust (``techdocs.sources.fetch_source``).
    """
    limits = techdocs_settings()
    return dataclasses.replace(
        reader_policy(trusted=True),
        max_file_bytes=limits["MAX_FILE_BYTES"],
        max_files=limits["MAX_SOURCE_FILES"],
        max_total_bytes=limits["MAX_SOURCE_BYTES"],
    )
