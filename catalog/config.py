"""The catalog's configuration: settings, optionally extended by a Backstage-style app-config file.

``GREENROOM_CONFIG`` may name a Backstage app-config file (read by ``portal.app_config``, with its
substitutions); its ``catalog.locations`` and ``catalog.rules`` are used as they are, so an existing
app-config can be pointed at directly.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from portal.app_config import load_app_config, section

from .formats.readers import ReaderPolicy
from .integrations import Integration, git_http_credentials, parse_integrations, ssh_credentials
from .providers.loading import ConfiguredProviders, build_providers

logger = logging.getLogger(__name__)

# The keys of Backstage's ``catalog:`` section that Greenroom reads; the others are named in a warning.
READ_CATALOG_KEYS = ("locations", "rules", "providers", "providerOptions", "orphanStrategy")


@dataclass(frozen=True)
class StaticLocation:
    """A location declared in configuration rather than registered at run time."""

    type: str
    target: str
    rules: list[dict[str, Any]] | None = None


def _config_file() -> tuple[dict[str, Any], tuple[Integration, ...]]:
    path = settings.GREENROOM_CONFIG_FILE
    if not path:
        return {}, ()
    loaded = load_app_config(path)
    source = f"GREENROOM_CONFIG {path}"
    catalog = section(loaded, "catalog", source=source)
    for key in ("locations", "rules"):
        # ``locations:`` with only comments under it is null: present and undefined, as Backstage
        # reads it (a later file's null does not fall back to an earlier file's list).
        if catalog.get(key) is not None and not isinstance(catalog[key], list):
            raise ImproperlyConfigured(f"{source}: catalog.{key} must be a list")
    for key in ("providers", "providerOptions"):
        if catalog.get(key) is not None and not isinstance(catalog[key], dict):
            raise ImproperlyConfigured(f"{source}: catalog.{key} must be a mapping")
    if catalog.get("orphanStrategy", "keep") not in ("keep", "delete"):
        raise ImproperlyConfigured(f"{source}: catalog.orphanStrategy must be 'keep' or 'delete'")
    _warn_unread_keys(catalog, source)
    try:
        integrations = parse_integrations(section(loaded, "integrations", source=source))
    except ImproperlyConfigured as error:
        raise ImproperlyConfigured(f"{source}: {error}") from error
    return catalog, integrations


def _warn_unread_keys(catalog: dict[str, Any], source: str) -> None:
    """Name the ``catalog:`` keys Greenroom does not read (``import``, ``processors``, …), once per load."""
    unread = sorted(key for key in catalog if key not in READ_CATALOG_KEYS)
    if unread:
        hint = " (Greenroom configures entity providers under catalog.providers)" if "processors" in unread else ""
        logger.warning("%s: catalog keys Greenroom does not read are ignored: %s%s", source, ", ".join(unread), hint)


@cache
def catalog_settings() -> dict[str, Any]:
    """Settings' CATALOG merged with the ``catalog:`` section of the GREENROOM_CONFIG file.

    ``INTEGRATIONS`` holds the file's parsed ``integrations:`` (``catalog.integrations``).
    """
    merged = dict(settings.CATALOG)
    catalog_section, integrations = _config_file()
    if catalog_section.get("locations") is not None:
        merged["LOCATIONS"] = [*merged["LOCATIONS"], *catalog_section["locations"]]
    if catalog_section.get("rules") is not None:
        merged["RULES"] = catalog_section["rules"]
    # Entity providers (catalog/providers/): their entries, per-provider options, and what happens
    # to the entities a provider stops emitting ("keep": orphaned, "delete": removed).
    merged["PROVIDERS"] = {**merged.get("PROVIDERS", {}), **(catalog_section.get("providers") or {})}
    options = catalog_section.get("providerOptions") or {}
    merged["PROVIDER_OPTIONS"] = {**merged.get("PROVIDER_OPTIONS", {}), **options}
    merged["ORPHAN_STRATEGY"] = catalog_section.get("orphanStrategy", merged.get("ORPHAN_STRATEGY", "keep"))
    merged["INTEGRATIONS"] = integrations
    return merged


def static_locations() -> list[StaticLocation]:
    """Locations from configuration, each checked for a type and a target."""
    locations = []
    for index, entry in enumerate(catalog_settings()["LOCATIONS"]):
        if not isinstance(entry, dict) or not entry.get("type") or not entry.get("target"):
            raise ImproperlyConfigured(f"catalog locations[{index}] needs a 'type' and a 'target': {entry!r}")
        target = str(entry["target"])
        if entry["type"] == "file" and not Path(target).is_absolute():
            # Relative file targets are read from the project directory, as Backstage reads them
            # from the backend's working directory.
            target = str((Path(settings.BASE_DIR) / target).resolve())
        if entry["type"] == "file" and Path(target).is_dir():
            target = str(Path(target) / "**" / "catalog-info.yaml")
        locations.append(StaticLocation(str(entry["type"]), target, entry.get("rules")))
    return locations


def allowed_location_types() -> tuple[str, ...]:
    """Location types people may register, and Location entities may name besides their own."""
    return tuple(settings.API_LOCATION_TYPES)


def global_rules() -> list[dict[str, Any]]:
    return list(catalog_settings()["RULES"])


def local_roots() -> tuple[str, ...]:
    """``CATALOG_LOCAL_ROOTS``: the directories local targets must resolve inside."""
    return tuple(str(root) for root in catalog_settings().get("LOCAL_ROOTS", ()) if str(root).strip())


def demo_directory() -> Path:
    """The embedded demo's folder, ``catalog/demo/``."""
    return Path(settings.BASE_DIR) / "catalog" / "demo"


def admit_local_root(directory: Path | str, *, git: bool = False) -> None:
    """Add a directory to the local roots, here and in the worker and web processes started next.

    For the operator's own tools: the embedded demo (``manage.py serve``, ``manage.py load_demo``)
    reads its catalog from ``catalog/demo/``, the benchmarks and the load test from a temporary
    directory they generate. ``git`` also allows local git remotes (``file://``) for them.
    """
    roots = list(local_roots())
    if str(directory) not in roots:
        roots.append(str(directory))
        settings.CATALOG["LOCAL_ROOTS"] = roots
        os.environ["CATALOG_LOCAL_ROOTS"] = ",".join(roots)
    if git:
        settings.CATALOG["ALLOW_LOCAL_GIT"] = True
        os.environ["CATALOG_ALLOW_LOCAL_GIT"] = "true"
    catalog_settings.cache_clear()


def reader_policy(*, trusted: bool = False) -> ReaderPolicy:
    """How locations may be read: limits, git cache and which remotes are allowed.

    ``trusted`` says the target comes from settings or a platform admin (or from a location already
    admitted under that rule); only then may it be on this machine (``catalog.formats.readers.local_targets``).
    """
    catalog = catalog_settings()
    return ReaderPolicy(
        cache_dir=Path(catalog["GIT_CACHE_DIR"]),
        max_file_bytes=catalog["MAX_FILE_BYTES"],
        max_files=catalog["MAX_FILES_PER_LOCATION"],
        git_timeout_seconds=catalog["GIT_TIMEOUT"],
        allow_local_git=catalog["ALLOW_LOCAL_GIT"],
        allowed_hosts=tuple(catalog["GIT_ALLOWED_HOSTS"]),
        allow_private_addresses=catalog["ALLOW_PRIVATE_ADDRESSES"],
        local_trusted=trusted,
        local_roots=local_roots(),
        http_credentials=git_http_credentials(catalog["INTEGRATIONS"]),
        ca_bundle=catalog.get("CA_BUNDLE") or None,
        ssh_credentials=ssh_credentials(catalog["INTEGRATIONS"]),
    )


_providers_built: tuple[dict[str, Any], ConfiguredProviders] | None = None


def configured_providers() -> ConfiguredProviders:
    """The entity providers ``catalog.providers`` configures, built once per loaded configuration."""
    global _providers_built
    catalog = catalog_settings()
    # Compared by identity: the settings the providers were built from are kept, so a new load is a
    # new object (an id() could be reused once the old one is freed).
    if _providers_built is None or _providers_built[0] is not catalog:
        _providers_built = (catalog, build_providers(catalog["PROVIDERS"], catalog["PROVIDER_OPTIONS"]))
    return _providers_built[1]


def orphan_strategy() -> str:
    """``catalog.orphanStrategy``: ``keep`` (mark entities no source emits as orphans) or ``delete``."""
    return catalog_settings().get("ORPHAN_STRATEGY", "keep")
