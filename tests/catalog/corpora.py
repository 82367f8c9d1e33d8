"""The catalog corpora the conformance tests run on, and what each must give.

The in-repo corpus (``tests/fixtures/catalog/``) always runs; Backstage's example entities
(``../shared/conformance/backstage-examples/``) run in addition when they are present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tests.corpus import FIXTURES, SHARED_CONFORMANCE, corpus_params


@dataclass(frozen=True)
class CatalogCorpus:
    """A folder of descriptors and the verdicts the catalog must give them."""

    root: Path
    # Registered in this order by the load test: Location trees (warnings allowed), refused files, quiet files.
    trees: tuple[str, ...]
    quiet: tuple[str, ...]
    # File -> fields refused, in the order validation names them. A refused file may also be a tree's target.
    invalid: dict[str, tuple[str, ...]]
    # Files read only through `$text` placeholders, not entities.
    non_entity_files: tuple[str, ...]
    parent_group: str
    child_group: str
    remote_placeholder_api: str
    relative_placeholder: tuple[str, str] = field(default=("", ""))

    @property
    def files(self) -> list[str]:
        return sorted(path.relative_to(self.root).as_posix() for path in self.root.rglob("*.yaml"))

    @property
    def valid_files(self) -> list[str]:
        return [name for name in self.files if name not in self.invalid and name not in self.non_entity_files]


OWN = CatalogCorpus(
    root=FIXTURES / "catalog",
    trees=("all.yaml",),
    quiet=("components/workshop-namespace.yaml",),
    invalid={
        "components/invalid-component.yaml": ("metadata.name", "metadata.tags[1]"),
        "invalid/bad-label.yaml": ("metadata.labels.velocitycycles.example/voltage",),
        "invalid/bad-namespace.yaml": ("metadata.namespace",),
        "invalid/component-without-owner.yaml": ("spec.owner",),
        "invalid/group-without-children.yaml": ("spec.children",),
        "invalid/long-name.yaml": ("metadata.name",),
        "invalid/unknown-api-version.yaml": ("kind",),
    },
    non_entity_files=("apis/motor-api.oas.yaml",),
    parent_group="group:default/engineering",
    child_group="group:default/drivetrain",
    remote_placeholder_api="api:default/battery-telemetry",
    relative_placeholder=("api:default/motor-api", "apis/motor-api.oas.yaml"),
)


def _shared() -> CatalogCorpus:
    return CatalogCorpus(
        root=SHARED_CONFORMANCE / "backstage-examples",
        trees=("all.yaml",),
        quiet=("acme-corp.yaml", "components/different-namespace.yaml", "ai-resources/company-ai-marketplace.yaml"),
        invalid={
            "components/invalid-component.yaml": ("metadata.name", "metadata.tags[1]"),
            # Its spec.allowedTools is a list; Backstage's model wants one string of tool names (docs/conformance.md).
            "ai-resources/frontend-design-skill.yaml": ("spec.allowedTools",),
        },
        non_entity_files=("apis/petstore-webhook.oas.yaml",),
        parent_group="group:default/backstage",
        child_group="group:default/team-a",
        remote_placeholder_api="api:default/spotify",
        relative_placeholder=("api:default/petstore-webhook", "apis/petstore-webhook.oas.yaml"),
    )


CATALOG_CORPORA = corpus_params(OWN, _shared)
