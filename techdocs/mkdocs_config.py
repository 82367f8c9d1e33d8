"""Turning a repository's ``mkdocs.yml`` into one that is safe to build, or refusing it.

MkDocs runs Python that a configuration names: hooks, plugins, Markdown extensions, YAML tags that
construct Python objects, and Jinja templates from ``theme.custom_dir`` (MkDocs' Jinja environment is
not sandboxed). A repository is hostile, so before a build:

- YAML is read with a safe loader. ``!!python/name:`` is accepted only for the callables in
  ``ALLOWED_PYTHON_NAMES`` (emoji and slug functions, code fence formatters); every other
  ``!!python/...`` tag, MkDocs' ``!ENV`` (it would copy the server's environment into a public page)
  and ``!relative``, and the monorepo plugin's ``!include`` refuse the build.
- Top-level keys outside Backstage's allow-list (``ALLOWED_KEYS``) are removed: ``hooks``,
  ``INHERIT``, ``extra_javascript`` and friends never reach MkDocs.
- Plugins outside ``TECHDOCS["ALLOWED_PLUGINS"]`` are removed; ``techdocs-core`` is added when missing.
- Markdown extensions outside ``ALLOWED_MARKDOWN_EXTENSIONS`` are removed (the build process also
  removes the ones techdocs-core itself enables that run programs or fetch URLs).
- ``docs_dir`` must stay inside the source tree, and so must every nav page, monorepo include
  (``!include``/``*include``, followed recursively) and included ``docs_dir`` (``mkdocs_nav``);
  ``theme.custom_dir`` outside the tree refuses the build, and inside it is removed (its templates
  would run unsandboxed and only style the chrome, which the portal does not show).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .mkdocs_nav import NavChecker, NavRefused

CONFIG_NAMES = ("mkdocs.yaml", "mkdocs.yml")

# Backstage's allow-list of mkdocs.yml keys (plugin-techdocs-node's generate step).
ALLOWED_KEYS = frozenset(
    {
        "site_name", "site_description", "site_author", "site_url", "repo_url", "repo_name", "edit_uri",
        "edit_uri_template", "docs_dir", "site_dir", "nav", "exclude_docs", "not_in_nav", "theme", "plugins",
        "markdown_extensions", "extra", "extra_css", "use_directory_urls", "strict", "dev_addr", "watch",
        "copyright", "remote_branch", "remote_name", "validation", "google_analytics",
    }
)  # fmt: skip

ALLOWED_PYTHON_NAMES = frozenset(
    {
        "material.extensions.emoji.twemoji",
        "material.extensions.emoji.to_svg",
        "pymdownx.emoji.twemoji",
        "pymdownx.emoji.to_svg",
        "pymdownx.emoji.to_png",
        "pymdownx.slugs.uslugify",
        "pymdownx.superfences.fence_code_format",
        "pymdownx.superfences.fence_div_format",
    }
)

# Extensions that only transform Markdown text. Left out on purpose: pymdownx.snippets (includes
# files; forced to a safe configuration when techdocs-core enables it), markdown_inline_graphviz
# (runs Graphviz), plantuml_markdown (runs PlantUML or fetches a server), and anything unknown
# (an extension name is a Python import).
ALLOWED_MARKDOWN_EXTENSIONS = frozenset(
    {
        "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "meta", "nl2br",
        "sane_lists", "smarty", "tables", "toc", "wikilinks", "fenced_code", "codehilite", "extra",
        "markdown.extensions.abbr", "markdown.extensions.admonition", "markdown.extensions.attr_list",
        "markdown.extensions.def_list", "markdown.extensions.footnotes", "markdown.extensions.md_in_html",
        "markdown.extensions.tables", "markdown.extensions.toc", "markdown.extensions.fenced_code",
        "markdown.extensions.codehilite", "markdown.extensions.extra", "markdown.extensions.meta",
        "markdown.extensions.sane_lists", "markdown.extensions.smarty",
        "pymdownx.arithmatex", "pymdownx.betterem", "pymdownx.caret", "pymdownx.critic", "pymdownx.details",
        "pymdownx.emoji", "pymdownx.escapeall", "pymdownx.extra", "pymdownx.highlight", "pymdownx.inlinehilite",
        "pymdownx.keys", "pymdownx.magiclink", "pymdownx.mark", "pymdownx.progressbar", "pymdownx.saneheaders",
        "pymdownx.smartsymbols", "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.tasklist", "pymdownx.tilde",
        "pymdownx.blocks.admonition", "pymdownx.blocks.details", "pymdownx.blocks.tab", "pymdownx.blocks.html",
        "mdx_truly_sane_lists", "material.extensions.emoji",
    }
)  # fmt: skip

# Extensions techdocs-core enables that the build process removes again (see techdocs.runner).
FORBIDDEN_CORE_EXTENSIONS = ("markdown_inline_graphviz", "plantuml_markdown")


class UnsafeConfig(Exception):
    """The configuration cannot be built safely; ``str()`` names the key and says why."""


@dataclass(frozen=True)
class PythonName:
    """An allowed ``!!python/name:`` value, written back with the same tag for MkDocs to resolve."""

    dotted: str


@dataclass
class SafeConfig:
    """The configuration to build with, and what was removed from it (for the build log)."""

    data: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


class _Loader(yaml.SafeLoader):
    """Safe YAML that names the tag it refuses instead of constructing anything."""


def _python_tag(loader: _Loader, suffix: str, node: yaml.Node) -> PythonName:
    if suffix.startswith("name:") and suffix.removeprefix("name:") in ALLOWED_PYTHON_NAMES:
        return PythonName(suffix.removeprefix("name:"))
    raise UnsafeConfig(f"mkdocs.yml: YAML tag '!!python/{suffix}' (line {node.start_mark.line + 1}) would run Python")


def _local_tag(loader: _Loader, suffix: str, node: yaml.Node) -> Any:
    reasons = {
        "ENV": "reads the server's environment",
        "relative": "resolves paths on the server",
        "include": "includes another configuration",
    }
    reason = reasons.get(suffix, "is not supported")
    raise UnsafeConfig(f"mkdocs.yml: YAML tag '!{suffix}' (line {node.start_mark.line + 1}) {reason}; remove it")


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _python_tag)
_Loader.add_multi_constructor("!", _local_tag)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    PythonName, lambda dumper, value: dumper.represent_scalar(f"tag:yaml.org,2002:python/name:{value.dotted}", "")
)


def find_config(source_dir: Path) -> Path | None:
    for name in CONFIG_NAMES:
        candidate = source_dir / name
        if candidate.is_file():
            return candidate
    return None


def load_config(text: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise UnsafeConfig(f"mkdocs.yml is not valid YAML: {error}") from None
    except RecursionError:
        # PyYAML composes recursively: a few thousand nested brackets would crash the build job.
        raise UnsafeConfig("mkdocs.yml is nested too deeply to read") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UnsafeConfig("mkdocs.yml must be a mapping of settings")
    return data


def _name_of(item: Any, what: str) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, dict) and len(item) == 1:
        return str(next(iter(item)))
    raise UnsafeConfig(f"mkdocs.yml: each entry of '{what}' must be a name or a single-key mapping")


def _inside(source_dir: Path, relative: Any, what: str) -> str:
    if not isinstance(relative, str) or not relative.strip():
        raise UnsafeConfig(f"mkdocs.yml: '{what}' must be a relative path")
    normal = posixpath.normpath(relative.replace("\\", "/"))
    if normal.startswith(("/", "../")) or normal == ".." or "\x00" in normal:
        raise UnsafeConfig(f"mkdocs.yml: '{what}' ({relative!r}) leaves the source tree")
    resolved = (source_dir / normal).resolve()
    if not resolved.is_relative_to(source_dir.resolve()):
        raise UnsafeConfig(f"mkdocs.yml: '{what}' ({relative!r}) leaves the source tree")
    return normal


def sanitise_config(raw: dict[str, Any], source_dir: Path, allowed_plugins: list[str], default_name: str) -> SafeConfig:
    """Return the configuration to build with; raise ``UnsafeConfig`` when it must be refused."""
    result = SafeConfig(data={})
    for key, value in raw.items():
        if key in ALLOWED_KEYS:
            result.data[key] = value
        else:
            result.warnings.append(f"removed mkdocs.yml key '{key}': not allowed")
    data = result.data
    data.setdefault("site_name", default_name)
    data["docs_dir"] = _inside(source_dir, data.get("docs_dir", "docs"), "docs_dir")
    try:
        NavChecker(source_dir, load_config).check(data, source_dir / "mkdocs.yml")
    except NavRefused as error:
        raise UnsafeConfig(f"{error}; remove it") from None
    except RecursionError:
        raise UnsafeConfig("mkdocs.yml: nav is nested too deeply to check") from None
    data.pop("site_dir", None)
    theme = data.get("theme")
    if isinstance(theme, dict) and "custom_dir" in theme:
        _inside(source_dir, theme["custom_dir"], "theme.custom_dir")
        data["theme"] = {key: value for key, value in theme.items() if key != "custom_dir"}
        result.warnings.append("removed theme.custom_dir: theme templates from a repository are not run")
    elif theme is not None and not isinstance(theme, str | dict):
        raise UnsafeConfig("mkdocs.yml: 'theme' must be a name or a mapping")
    plugins = data.get("plugins") or []
    if isinstance(plugins, dict):
        plugins = [{name: options} for name, options in plugins.items()]
    if not isinstance(plugins, list):
        raise UnsafeConfig("mkdocs.yml: 'plugins' must be a list")
    kept_plugins = []
    for item in plugins:
        name = _name_of(item, "plugins")
        if name in allowed_plugins:
            kept_plugins.append(item)
        else:
            result.warnings.append(f"removed plugin '{name}': not on the allowed plugin list")
    if "techdocs-core" not in [_name_of(item, "plugins") for item in kept_plugins]:
        kept_plugins.append("techdocs-core")
    data["plugins"] = kept_plugins
    extensions = data.get("markdown_extensions") or []
    if isinstance(extensions, dict):
        extensions = [{name: options} for name, options in extensions.items()]
    if not isinstance(extensions, list):
        raise UnsafeConfig("mkdocs.yml: 'markdown_extensions' must be a list")
    kept_extensions = []
    for item in extensions:
        name = _name_of(item, "markdown_extensions")
        if name in ALLOWED_MARKDOWN_EXTENSIONS:
            kept_extensions.append(item)
        else:
            result.warnings.append(f"removed Markdown extension '{name}': not on the allowed extension list")
    data["markdown_extensions"] = kept_extensions
    return result


def dump_config(config: SafeConfig) -> str:
    return yaml.dump(config.data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
