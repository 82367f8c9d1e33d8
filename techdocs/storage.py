"""Built sites in the ``techdocs`` storage (local files by default, an S3 bucket as an option).

Each build has its own prefix, ``<namespace>/<kind>/<name>/<build id>/`` (lowercase, as Backstage
lowercases the triplet), so publishing a new build never disturbs the one being read.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages


def site_storage() -> Storage:
    return storages["techdocs"]


def build_prefix(namespace: str, kind: str, name: str, build_id: int) -> str:
    return f"{namespace}/{kind}/{name}/{build_id}".lower()


def publish_directory(site_dir: Path, prefix: str) -> list[str]:
    """Copy every file of ``site_dir`` under ``prefix``; return the relative paths, sorted."""
    storage = site_storage()
    files = []
    for directory, _, filenames in os.walk(site_dir):
        for name in filenames:
            path = Path(directory) / name
            relative = path.relative_to(site_dir).as_posix()
            with path.open("rb") as handle:
                storage.save(f"{prefix}/{relative}", ContentFile(handle.read()))
            files.append(relative)
    return sorted(files)


def read_file(prefix: str, relative: str) -> bytes | None:
    """A site file's bytes, or None when it does not exist; ``relative`` must already be normalised."""
    storage = site_storage()
    name = f"{prefix}/{relative}"
    try:
        with storage.open(name, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        return None


def delete_prefix(prefix: str) -> None:
    """Remove every file under ``prefix`` (an old build's site)."""
    if not prefix:
        return
    storage = site_storage()

    def remove(directory: str) -> None:
        try:
            subdirectories, filenames = storage.listdir(directory)
        except (FileNotFoundError, OSError):
            return
        for name in filenames:
            storage.delete(f"{directory}/{name}")
        for name in subdirectories:
            remove(f"{directory}/{name}")

    remove(prefix)
