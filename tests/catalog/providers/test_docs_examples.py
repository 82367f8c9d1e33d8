"""The app-config examples in docs/github.md and docs/gitlab.md configure the providers they describe."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

from catalog.providers.base import FACTORY_PATHS

DOCS = Path(__file__).resolve().parents[3] / "docs"


def providers_in(doc: str) -> list[str]:
    example = re.search(r"```yaml\n(.*?)```", (DOCS / doc).read_text(), re.S).group(1)
    configured = yaml.safe_load(example)["catalog"]["providers"]
    ids = []
    for key, value in configured.items():
        module, _, name = FACTORY_PATHS[key].partition(":")
        factory = getattr(importlib.import_module(module), name)
        ids += [provider.provider_id for provider in factory(value, path=f"catalog.providers.{key}")]
    return ids


@pytest.mark.parametrize(
    ("doc", "ids"),
    [
        ("github.md", ["github:velocity", "github:enterprise", "githubOrg:velocity"]),
        ("gitlab.md", ["gitlab:velocity", "gitlab:velocity:org"]),
    ],
)
def test_the_documented_example_configures_its_providers(doc, ids):
    assert providers_in(doc) == ids


def yaml_blocks(doc: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", (DOCS / doc).read_text(), re.S)


@pytest.mark.parametrize(
    ("block", "host", "ids"),
    [
        (0, "gitlab.velocity-cycles.example", ["gitlab:velocity", "gitlab:velocity:org"]),
        (1, "127.0.0.1:8443", ["gitlab:acme"]),  # the end-to-end test's app-config
    ],
)
def test_each_gitlab_page_example_loads_as_the_app_config_unchanged(block, host, ids, tmp_path, settings, monkeypatch):
    from catalog import config
    from catalog.integrations import GitLabIntegration, integration_for_host

    monkeypatch.setenv("GITLAB_TOKEN", "glpat-from-the-environment")
    monkeypatch.setenv("GITLAB_DISCOVERY_TOKEN", "glpat-from-the-environment")
    path = tmp_path / "app-config.yaml"
    path.write_text(yaml_blocks("gitlab.md")[block])
    settings.GREENROOM_CONFIG_FILE = str(path)
    config.catalog_settings.cache_clear()
    try:
        assert [provider.provider_id for provider in config.configured_providers().providers] == ids
        integration = integration_for_host(host)
    finally:
        config.catalog_settings.cache_clear()
    assert isinstance(integration, GitLabIntegration)
    assert integration.token is not None and integration.token.reveal() == "glpat-from-the-environment"


def test_a_gitlab_provider_entry_without_host_is_left_out_naming_its_key(tmp_path, settings):
    from catalog import config

    example = yaml.safe_load(yaml_blocks("gitlab.md")[0])
    del example["catalog"]["providers"]["gitlab"]["velocity"]["host"]
    path = tmp_path / "app-config.yaml"
    path.write_text(yaml.safe_dump(example))
    settings.GREENROOM_CONFIG_FILE = str(path)
    config.catalog_settings.cache_clear()
    try:
        configured = config.configured_providers()
    finally:
        config.catalog_settings.cache_clear()
    assert configured.providers == ()
    assert configured.problems == ("catalog.providers.gitlab.velocity.host is required",)
