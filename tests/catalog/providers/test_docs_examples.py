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
