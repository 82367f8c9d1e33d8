"""Remembering failed builds: a site is built once per (source version, build configuration).

A source that cannot be built (a YAML bomb in ``mkdocs.yml``, a refused configuration, a build
that times out) fails the same way every time, so the periodic source check and readers' syncs do
not build it again until its source or the portal's build configuration changes. An owner's forced
rebuild always runs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from importlib import metadata

from .builder import BuildLimits
from .models import DocBuild, DocSite

_PACKAGES = ("mkdocs", "mkdocs-techdocs-core", "mkdocs-material", "mkdocs-monorepo-plugin", "pymdown-extensions")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return ""


def config_digest(limits: BuildLimits) -> str:
    """A digest of everything besides the source that decides a build's outcome."""
    described = {"limits": dataclasses.asdict(limits), "packages": {name: _version(name) for name in _PACKAGES}}
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


def repeated_failure(site: DocSite, version: str, digest: str) -> DocBuild | None:
    """The site's latest build if it failed on this very source version and build configuration."""
    if not version or site.latest_build_id is None:
        return None
    latest = DocBuild.objects.filter(pk=site.latest_build_id).first()
    if (
        latest
        and latest.status == DocBuild.Status.FAILED
        and (latest.source_commit, latest.config_digest)
        == (
            version,
            digest,
        )
    ):
        return latest
    return None
