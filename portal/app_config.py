"""Backstage's ``app-config.yaml``, read the way Backstage reads it (docs/app-config.md).

``GREENROOM_CONFIG`` names one file, or several separated by ``os.pathsep``; later files are merged
over earlier ones (mappings key by key, anything else replaced). Substitutions:

- ``${VAR}`` inside a string is the environment variable ``VAR``; ``$${`` is a literal ``${``.
- ``{$env: VAR}`` is the variable's value, ``{$file: path}`` a file's text and ``{$include: path}``
  a YAML or JSON file's content (``path#a.b``: one key of it); paths are relative to the config
  file and must stay in its folder.

A variable that is not set makes the value undefined, as in Backstage: the key is dropped and a
warning names its path. Substituted values are never logged. The portal reads no section itself;
the apps pick theirs (``catalog``, ``integrations``) and the rest is named once in a warning. Only
those sections are substituted: the others' variables and files are never looked up.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

READ_SECTIONS = ("catalog", "integrations")
_VARIABLE = re.compile(r"\$(\$)?\{([^{}]*)\}")
_warned_sections = False


class _Undefined:
    """A value whose variable is not set: dropped from its mapping or list."""

    def __repr__(self) -> str:
        return "<undefined>"


UNDEFINED = _Undefined()


def config_paths(value: str | Iterable[str]) -> list[Path]:
    """The files a ``GREENROOM_CONFIG`` value names, in merge order."""
    parts = value.split(os.pathsep) if isinstance(value, str) else list(value)
    return [Path(part.strip()) for part in parts if part and part.strip()]


def load_app_config(value: str | Iterable[str]) -> dict[str, Any]:
    """Read, substitute and merge the named app-config files; ``{}`` when none is named."""
    merged: dict[str, Any] = {}
    for path in config_paths(value):
        document = _read_yaml(path, path)
        if document is None:
            continue
        if not isinstance(document, dict):
            raise ImproperlyConfigured(f"{path}: the top level must be a mapping, not {_type_name(document)}")
        merged = _merge(merged, _resolve_read_sections(document, path))
    warn_ignored_sections(merged)
    return merged


def _resolve_read_sections(document: dict[Any, Any], path: Path) -> dict[str, Any]:
    """Substitute the sections Greenroom reads; keep the others as written, unresolved.

    A Backstage app-config names variables and files for its frontend, proxy and backend
    (``backend.database.connection.ssl.ca: {$file: ...}``) that a Greenroom host does not have and
    never uses: those are not looked up, so they neither stop start-up nor fill the log.
    """
    resolved: dict[str, Any] = {}
    for raw_key, value in document.items():
        key = str(raw_key)
        if key in READ_SECTIONS:
            value = _substitute(value, key, path.parent, path)
            if value is UNDEFINED:
                continue
        resolved[key] = value
    return resolved


def section(config: dict[str, Any], name: str, *, source: str = "app-config") -> dict[str, Any]:
    """One top-level mapping of a loaded config, ``{}`` when absent."""
    value = config.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{source}: '{name}' must be a mapping, not {_type_name(value)}")
    return value


def warn_ignored_sections(config: dict[str, Any]) -> None:
    """Name the sections Greenroom does not read, in one warning per process."""
    global _warned_sections
    ignored = sorted(key for key in config if key not in READ_SECTIONS)
    if ignored and not _warned_sections:
        _warned_sections = True
        logger.warning("app-config: sections Greenroom does not read are ignored: %s", ", ".join(ignored))


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string"}.get(type(value), type(value).__name__)


def _read_yaml(path: Path, config_file: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(
            f"{config_file}: cannot read {path}: {getattr(error, 'strerror', None) or error}"
        ) from error
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ImproperlyConfigured(f"{path}{where}: {problem}") from error


def _confined(base: Path, name: Any, key_path: str, config_file: Path) -> Path:
    if not isinstance(name, str) or not name:
        raise ImproperlyConfigured(f"{config_file}: {key_path} must name a file")
    folder = base.resolve()
    target = (folder / name).resolve()
    if not target.is_relative_to(folder):
        raise ImproperlyConfigured(f"{config_file}: {key_path} names a file outside {folder}")
    return target


def _substitute(value: Any, key_path: str, base: Path, config_file: Path) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ("$env", "$file", "$include"):
            return _directive(*next(iter(value.items())), key_path, base, config_file)
        result = {}
        for raw_key, item in value.items():
            key = str(raw_key)  # `200:` or `on:` (YAML 1.1 reads a number, a bool) kept, as text
            child = _substitute(item, f"{key_path}.{key}" if key_path else key, base, config_file)
            if child is not UNDEFINED:
                result[key] = child
        return result
    if isinstance(value, list):
        items = (_substitute(item, f"{key_path}[{index}]", base, config_file) for index, item in enumerate(value))
        return [item for item in items if item is not UNDEFINED]
    if isinstance(value, str) and "${" in value:
        return _interpolate(value, key_path, config_file)
    return value


def _interpolate(text: str, key_path: str, config_file: Path) -> Any:
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return "${" + match.group(2) + "}"
        name = match.group(2).strip()
        if name not in os.environ:
            missing.append(name)
            return ""
        return os.environ[name]

    result = _VARIABLE.sub(replace, text)
    if missing:
        _warn_undefined(key_path, config_file, missing)
        return UNDEFINED
    return result


def _directive(kind: str, argument: Any, key_path: str, base: Path, config_file: Path) -> Any:
    if kind == "$env":
        if not isinstance(argument, str) or not argument:
            raise ImproperlyConfigured(f"{config_file}: {key_path}.$env must name a variable")
        if argument not in os.environ:
            _warn_undefined(key_path, config_file, [argument])
            return UNDEFINED
        return os.environ[argument]
    fragment = ""
    if kind == "$include" and isinstance(argument, str) and "#" in argument:
        argument, fragment = argument.split("#", 1)
    target = _confined(base, argument, f"{key_path}.{kind}", config_file)
    if kind == "$file":
        try:
            return target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ImproperlyConfigured(f"{config_file}: {key_path}.$file: cannot read {argument}") from error
    included = _select(_read_yaml(target, config_file), fragment, f"{key_path}.$include", target)
    return _substitute(included, key_path, target.parent, config_file)


def _select(document: Any, fragment: str, key_path: str, included_file: Path) -> Any:
    """The part of an included document that ``file.yaml#a.b`` names (the whole one without ``#``)."""
    if not fragment:
        return document
    value = document
    for step in fragment.split("."):
        if not isinstance(value, dict) or step not in value:
            raise ImproperlyConfigured(f"{included_file}: {key_path}: no key {fragment!r} in the included file")
        value = value[step]
    return value


def _warn_undefined(key_path: str, config_file: Path, names: list[str]) -> None:
    logger.warning(
        "app-config %s: %s is left out, environment variable %s is not set",
        config_file,
        key_path,
        ", ".join(names),
    )


def _merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
