"""What the forge discovery end-to-end tests share: descriptors, the provider run, what was cloned."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml
from django.core.management import call_command

from catalog import config
from tests.gitserver import GitHttpsServer


def component(name: str) -> str:
    return (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        f"metadata:\n  name: {name}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )


def write_config(path: Path, forge: str, integration: dict[str, Any], entry: dict[str, Any], orphans: str) -> None:
    """An app-config with one ``integrations.<forge>`` entry and the provider ``<forge>.acme``."""
    app_config = {
        "integrations": {forge: [integration]},
        "catalog": {"orphanStrategy": orphans, "providers": {forge: {"acme": entry}}},
    }
    path.write_text(yaml.safe_dump(app_config))
    config.catalog_settings.cache_clear()


def refresh_provider(capture: Any, provider_id: str) -> str:
    """``manage.py catalog_providers refresh ID --wait``, then the location refreshes it queued."""
    out = io.StringIO()
    with capture(execute=True):
        call_command("catalog_providers", "refresh", provider_id, "--wait", stdout=out)
    return out.getvalue()


def cloned(server: GitHttpsServer) -> set[str]:
    """The repositories git fetched from the server (their ``info/refs`` requests)."""
    return {seen.path.split("/")[2].removesuffix(".git") for seen in server.seen if "info/refs" in seen.path}
