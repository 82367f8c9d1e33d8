"""Reading a Backstage ``app-config.yaml`` as it is, with Backstage's substitutions.

- ``${VAR}`` inside a string is replaced by the environment variable ``VAR``; ``$${`` stands for a
  literal ``${``. A string whose variable is unset becomes undefined, so its key is dropped, as
  Backstage drops it.
- ``{$env: VAR}`` is the environment variable's value (dropped when unset).
- ``{$file: path}`` is the text of a file beside the config file; paths are confined to the config
  file's folder after resolving symlinks.

Substituted values are never logged: warnings name the key path only. Sections Greenroom does not
read are reported once per process, never fatal.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

# Sections Greenroom reads; every other top-level key is reported as ignored.
READ_SECTIONS = frozenset({"catalog"})

_VARIABLE = re.compile(r"\$(\$?)\{([^{}]*)\}")
_MISSING = object()
_reported_ignored: set[tuple[str, ...]] = set()


def load_app_config(path: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The app-config document at ``path`` with substitutions applied; ``ImproperlyConfigured`` on bad input."""
    config_path = Path(path)
    try:
        text = config_path.read_text(encoding="utf-8")
    except OSError as error:
        raise ImproperlyConfigured(f"GREENROOM_CONFIG {config_path}: {error.strerror or error}") from error
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ImproperlyConfigured(f"GREENROOM_CONFIG {config_path}{where}: {problem}") from error
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ImproperlyConfigured(f"GREENROOM_CONFIG {config_path}: the top level must be a mapping")
    substituted = _substitute(document, _Context(config_path, os.environ if environ is None else environ), "")
    _report_ignored_sections(config_path, substituted)
    return substituted


class _Context:
    def __init__(self, path: Path, environ: Mapping[str, str]) -> None:
        self.path = path
        self.folder = path.resolve().parent
        self.environ = environ


def _substitute(value: Any, context: _Context, key_path: str) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in ("$env", "$file"):
            return _special_form(value, context, key_path)
        result = {}
        for key, item in value.items():
            child = _substitute(item, context, f"{key_path}.{key}" if key_path else str(key))
            if child is not _MISSING:
                result[key] = child
        return result
    if isinstance(value, list):
        items = (_substitute(item, context, f"{key_path}[{index}]") for index, item in enumerate(value))
        return [item for item in items if item is not _MISSING]
    if isinstance(value, str) and "${" in value:
        return _substitute_string(value, context, key_path)
    return value


def _substitute_string(value: str, context: _Context, key_path: str) -> Any:
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match.group(1):  # $${...} is a literal ${...}
            return "${" + match.group(2) + "}"
        name = match.group(2).strip()
        if name not in context.environ:
            missing.append(name)
            return ""
        return context.environ[name]

    result = _VARIABLE.sub(replace, value)
    if missing:
        logger.warning(
            "GREENROOM_CONFIG %s: %s is left out: environment variable %s is not set",
            context.path,
            key_path,
            ", ".join(missing),
        )
        return _MISSING
    return result


def _special_form(value: dict[str, Any], context: _Context, key_path: str) -> Any:
    ((form, argument),) = value.items()
    if not isinstance(argument, str) or not argument:
        raise ImproperlyConfigured(f"GREENROOM_CONFIG {context.path}: {key_path}: {form} needs a non-empty string")
    if form == "$env":
        if argument not in context.environ:
            logger.warning(
                "GREENROOM_CONFIG %s: %s is left out: environment variable %s is not set",
                context.path,
                key_path,
                argument,
            )
            return _MISSING
        return context.environ[argument]
    target = (context.folder / argument).resolve()
    if not target.is_relative_to(context.folder):
        raise ImproperlyConfigured(
            f"GREENROOM_CONFIG {context.path}: {key_path}: $file {argument!r} is outside the config file's folder"
        )
    try:
        return target.read_text(encoding="utf-8")
    except OSError as error:
        raise ImproperlyConfigured(
            f"GREENROOM_CONFIG {context.path}: {key_path}: $file {argument!r}: {error.strerror or error}"
        ) from error


def _report_ignored_sections(path: Path, document: dict[str, Any]) -> None:
    ignored = tuple(sorted(str(key) for key in document if key not in READ_SECTIONS))
    if not ignored or (str(path), *ignored) in _reported_ignored:
        return
    _reported_ignored.add((str(path), *ignored))
    logger.warning("GREENROOM_CONFIG %s: sections Greenroom does not read are ignored: %s", path, ", ".join(ignored))
