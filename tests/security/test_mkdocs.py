"""MkDocs configuration from a repository: nothing it names runs, reads the environment or escapes."""

from __future__ import annotations

import pytest

from techdocs.mkdocs_config import UnsafeConfig, load_config, sanitise_config

ALLOWED = ["techdocs-core", "search"]


def _sanitise(text: str, tmp_path):
    (tmp_path / "docs").mkdir(exist_ok=True)
    return sanitise_config(load_config(text), tmp_path, ALLOWED, "Docs")


@pytest.mark.parametrize("key", ["hooks", "INHERIT", "extra_javascript", "extra_templates", "site_dir"])
def test_keys_that_run_code_or_write_elsewhere_are_removed(tmp_path, key):
    config = _sanitise(f"site_name: S\n{key}: ../../x\n", tmp_path)
    assert key not in config.data


def test_plugins_outside_the_allow_list_are_removed(tmp_path):
    config = _sanitise(
        "plugins:\n  - search\n  - macros\n  - mkdocs-simple-hooks: {hooks: {on_pre_build: os:system}}\n", tmp_path
    )
    assert config.data["plugins"] == ["search", "techdocs-core"]


def test_markdown_extensions_that_include_files_or_run_programs_are_removed(tmp_path):
    config = _sanitise(
        "markdown_extensions:\n  - pymdownx.snippets: {base_path: /}\n  - plantuml_markdown\n  - toc\n", tmp_path
    )
    assert config.data["markdown_extensions"] == ["toc"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("site_name: !ENV SECRET_KEY\n", "environment"),
        ("site_name: !ENV [DATABASE_URL, x]\n", "environment"),
        ("nav: !include ../../mkdocs.yml\n", "includes"),
        ("docs_dir: !relative $config_dir\n", "paths"),
        ("x: !!python/object/new:os.system [id]\n", "run Python"),
        ("markdown_extensions:\n  - toc: {slugify: !!python/name:os.system }\n", "run Python"),
    ],
)
def test_tags_that_run_python_or_read_the_environment_refuse_the_build(text, reason):
    with pytest.raises(UnsafeConfig, match=reason):
        load_config(text)


def test_allowed_python_names_are_kept(tmp_path):
    config = _sanitise(
        "markdown_extensions:\n  - pymdownx.emoji: {emoji_generator: !!python/name:pymdownx.emoji.to_svg }\n", tmp_path
    )
    assert config.data["markdown_extensions"][0]["pymdownx.emoji"]["emoji_generator"].dotted == "pymdownx.emoji.to_svg"
