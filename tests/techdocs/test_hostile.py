"""Hostile sites: configuration that would run code, HTML that would run scripts, escaping paths."""

from __future__ import annotations

import pytest

from techdocs import storage
from techdocs.models import DocBuild
from techdocs.render import SiteAddress, render_page
from techdocs.services import check_entity_docs

pytestmark = pytest.mark.django_db

PAGE = "# Title\n\nText.\n"


def build(docs_source, register, files, **kwargs):
    entity = register(docs_source({"docs/index.md": PAGE, **files}, **kwargs))
    return check_entity_docs(entity.ref)


def test_hooks_are_removed_and_never_run(docs_source, register, tmp_path):
    marker = tmp_path / "hook-ran"
    hook = f"from pathlib import Path\nPath({str(marker)!r}).write_text('x')\n"
    result = build(docs_source, register, {"hooks.py": hook, "mkdocs.yml": "site_name: S\nhooks:\n  - hooks.py\n"})
    assert result.status == DocBuild.Status.SUCCEEDED
    assert not marker.exists()
    assert "removed mkdocs.yml key 'hooks'" in result.log


def test_plugins_outside_the_allow_list_are_removed(docs_source, register):
    result = build(docs_source, register, {"mkdocs.yml": "site_name: S\nplugins:\n  - techdocs-core\n  - redirects\n"})
    assert result.status == DocBuild.Status.SUCCEEDED
    assert "removed plugin 'redirects'" in result.log


@pytest.mark.parametrize(
    "config",
    [
        "site_name: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
        "site_name: !ENV SECRET_KEY\n",
        "nav:\n  - !include ../other/mkdocs.yml\n",
        "site_name: S\ndocs_dir: ../../\n",
        "site_name: S\ntheme:\n  name: material\n  custom_dir: /etc\n",
    ],
)
def test_dangerous_configuration_refuses_the_build(docs_source, register, config):
    result = build(docs_source, register, {"mkdocs.yml": config})
    assert result.status == DocBuild.Status.FAILED
    assert result.error.startswith("Refused: mkdocs.yml")


def test_symlink_leaving_the_tree_is_not_copied(docs_source, register, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("TOP SECRET")
    root = docs_source({"docs/index.md": PAGE})
    (root / "docs" / "leak.md").symlink_to(secret)
    entity = register(root)
    result = check_entity_docs(entity.ref)
    assert result.status == DocBuild.Status.SUCCEEDED
    assert "leads outside" in result.log
    assert storage.read_file(result.storage_prefix, "leak/index.html") is None


def test_huge_files_are_skipped(docs_source, register, settings):
    settings.TECHDOCS = {**settings.TECHDOCS, "MAX_FILE_BYTES": 1000}
    result = build(docs_source, register, {"docs/huge.md": "x" * 5000})
    assert result.status == DocBuild.Status.SUCCEEDED
    assert "over the 1000 byte limit" in result.log


def test_build_timeout_fails_the_build(docs_source, register, settings):
    settings.TECHDOCS = {**settings.TECHDOCS, "BUILD_TIMEOUT": 0.01}
    result = build(docs_source, register, {})
    assert result.status == DocBuild.Status.FAILED
    assert "did not finish" in result.error


def test_graphviz_and_plantuml_extensions_are_disabled(docs_source, register):
    result = build(docs_source, register, {})
    assert "disabled Markdown extension markdown_inline_graphviz" in result.log
    assert "disabled Markdown extension plantuml_markdown" in result.log


HOSTILE = """# Page

<script>alert(1)</script>
<img src="x.png" onerror="alert(2)">
<a href="javascript:alert(3)">click</a>
<a href="../../../../etc/passwd">up</a>
<iframe src="https://evil.example"></iframe>
<p style="background:url(https://evil.example)" onclick="alert(4)">styled</p>

## Section two
"""


def test_scripts_and_handlers_are_stripped_from_built_pages(docs_source, register):
    result = build(docs_source, register, {"docs/index.md": HOSTILE})
    built = storage.read_file(result.storage_prefix, "index.html")
    page = render_page(built, SiteAddress("default", "component", "documented-component", ""))
    lowered = page.html.lower()
    for forbidden in ("<script", "onerror", "javascript:", "<iframe", "onclick", "style=", "etc/passwd"):
        assert forbidden not in lowered, forbidden
    assert 'src="/docs-assets/default/component/documented-component/x.png"' in page.html
    assert {"id": "section-two", "title": "Section two", "level": "2"} in page.toc


def test_rewrites_links_relative_to_the_page():
    html = b'<article class="md-content__inner md-typeset"><a href="../code/x/#y">x</a><a href="#z">z</a></article>'
    page = render_page(html, SiteAddress("default", "component", "c", "sub-page/"))
    assert 'href="/docs/default/component/c/code/x/#y"' in page.html
    assert 'href="#z"' in page.html
