"""Writes a new plugin package from ``portal/plugin_template/`` (``manage.py startplugin``).

Template files end in ``.tmpl``; in their paths and text, ``PLUGIN_NAME`` becomes the module name,
``PLUGIN_CLASS`` its CamelCase form, ``PLUGIN_TITLE`` a human title and ``PLUGIN_DIST`` the
distribution name. Plain replacement rather than a template engine: the files hold Django templates.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent / "plugin_template"
_NAME = re.compile(r"[a-z][a-z0-9_]*")


class PluginNameError(ValueError):
    """The name cannot be a plugin's module name, or the folder is taken."""


def check_plugin_name(name: str) -> None:
    """Raise ``PluginNameError`` unless ``name`` is a lower-case identifier no installed module has."""
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        raise PluginNameError(
            f"{name!r} is not a valid plugin name: use a lower-case Python identifier (letters, digits, _)"
        )
    if importlib.util.find_spec(name) is not None:
        raise PluginNameError(f"{name!r} is the name of an existing Python module: choose another name")


def plugin_words(name: str) -> dict[str, str]:
    """The replacements for the template's placeholders."""
    words = [word for word in name.split("_") if word]
    return {
        "PLUGIN_NAME": name,
        "PLUGIN_CLASS": "".join(word.capitalize() for word in words),
        "PLUGIN_TITLE": " ".join(words).capitalize(),
        "PLUGIN_DIST": "-".join(words),
    }


def _fill(text: str, words: dict[str, str]) -> str:
    for placeholder, value in words.items():
        text = text.replace(placeholder, value)
    return text


def write_plugin(name: str, directory: Path) -> list[Path]:
    """Write the package for plugin ``name`` into ``directory`` (absent or empty); return the files written."""
    check_plugin_name(name)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise PluginNameError(f"{directory} already exists and is not an empty folder")
    words = plugin_words(name)
    written = []
    for source in sorted(TEMPLATE_DIR.rglob("*.tmpl")):
        target = directory / _fill(str(source.relative_to(TEMPLATE_DIR)), words).removesuffix(".tmpl")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_fill(source.read_text(encoding="utf-8"), words), encoding="utf-8")
        written.append(target)
    return written
