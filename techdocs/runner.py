"""The MkDocs build, run as ``python -m techdocs.runner <mkdocs.yml> <site dir> <nav.json>`` in a child process.

It imports no Django and sees no portal settings or secrets: the parent (``techdocs.builder``) gives
it a scrubbed environment, a scratch ``HOME``, resource limits and a timeout. The configuration it
reads was already sanitised by ``techdocs.mkdocs_config``; here a last plugin, run after every
other ``on_config``, removes the Markdown extensions techdocs-core enables that run programs or
fetch URLs, and pins ``pymdownx.snippets`` to the source tree. ``on_nav`` writes the site's
navigation as JSON for the portal's sidebar.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

FORBIDDEN_EXTENSIONS = ("markdown_inline_graphviz", "plantuml_markdown")


def _nav_items(items: list[Any]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        entry: dict[str, Any] = {"title": str(item.title or ""), "path": "", "children": []}
        if getattr(item, "is_page", False):
            entry["path"] = item.url or ""
        elif getattr(item, "is_link", False):
            entry["path"] = item.url or ""
            entry["external"] = True
        if getattr(item, "children", None):
            entry["children"] = _nav_items(item.children)
        out.append(entry)
    return out


def main(argv: list[str]) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.plugins import BasePlugin, event_priority

    config_file, site_dir, nav_file = argv
    source_dir = str(Path(config_file).parent)

    class Guard(BasePlugin):
        @event_priority(-1000)
        def on_config(self, config):
            removed = [name for name in config.markdown_extensions if name in FORBIDDEN_EXTENSIONS]
            config.markdown_extensions[:] = [
                name for name in config.markdown_extensions if name not in FORBIDDEN_EXTENSIONS
            ]
            for name in removed:
                config.mdx_configs.pop(name, None)
                print(f"greenroom: disabled Markdown extension {name} (it runs programs or fetches URLs)")
            if "pymdownx.snippets" in config.markdown_extensions:
                config.mdx_configs["pymdownx.snippets"] = {
                    "base_path": [source_dir],
                    "restrict_base_path": True,
                    "url_download": False,
                    "check_paths": False,
                }
            return config

        def on_nav(self, nav, config, files):
            Path(nav_file).write_text(json.dumps(_nav_items(nav.items)))
            return nav

    config = load_config(config_file=config_file, site_dir=site_dir)
    config.plugins["greenroom-guard"] = Guard()
    build(config)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
