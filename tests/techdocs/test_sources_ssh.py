"""A TechDocs source in a private repository, read over SSH through the catalog's reader."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from techdocs.config import source_policy
from techdocs.sources import SourceError, fetch_source, resolve_source
from tests.sshd_server import SshServer, make_key, make_served_repository, start_sshd, use_ssh_integration

DOCS = {"mkdocs.yml": "site_name: Payments\n", "docs/index.md": "# Payments\n", "catalog-info.yaml": "{}\n"}


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    yield from start_sshd(tmp_path_factory.mktemp("sshd"))


def documented(url: str) -> SimpleNamespace:
    annotations = {"backstage.io/techdocs-ref": f"url:{url}"}
    return SimpleNamespace(
        ref="component:default/payments", location_key="", body={"metadata": {"annotations": annotations}}
    )


def test_a_docs_source_over_ssh_is_fetched_with_the_integration(settings, tmp_path, sshd):
    repository = make_served_repository(sshd, "payments-docs", DOCS)
    use_ssh_integration(settings, tmp_path / "config", sshd)
    source = resolve_source(documented(f"{sshd.url(repository)}#main:"), "url", "")

    fetched = fetch_source(source, tmp_path / "out", source_policy())

    assert sorted(str(path.relative_to(tmp_path / "out")) for path in (tmp_path / "out").rglob("*.*")) == [
        "catalog-info.yaml",
        "docs/index.md",
        "mkdocs.yml",
    ]
    assert len(fetched.version) == 40


def test_a_refused_docs_source_names_the_integration(settings, tmp_path, sshd):
    repository = make_served_repository(sshd, "payments-docs-refused", DOCS)
    use_ssh_integration(settings, tmp_path / "config", sshd, private_key=make_key(tmp_path, "wrong"))
    source = resolve_source(documented(f"{sshd.url(repository)}#main:"), "url", "")

    with pytest.raises(SourceError, match=r"authentication failed for 127\.0\.0\.1 \(integration ssh\[0\]\)"):
        fetch_source(source, tmp_path / "out", source_policy())
