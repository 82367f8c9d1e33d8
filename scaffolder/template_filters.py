"""Backstage's template filters (``parseRepoUrl``, ``projectSlug``, ``parseEntityRef``, ``pick``, ``dump``)
and the sandboxed environments that carry them, with the Jinja2 filters and tests templates may use.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Undefined

from catalog.formats.refs import InvalidEntityRef, parse_entity_ref

from .template_sandbox import (
    MAX_RANGE,
    NunjucksUndefined,
    RenderLimitExceeded,
    ScaffolderEnvironment,
    TemplateError,
    check_size,
    check_time,
    checked_concat,
    to_text,
    watched_iter,
)

_KEPT_FILTERS = (
    "abs",
    "batch",
    "capitalize",
    "default",
    "d",
    "dictsort",
    "escape",
    "e",
    "first",
    "float",
    "groupby",
    "int",
    "items",
    "join",
    "last",
    "length",
    "count",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "select",
    "selectattr",
    "slice",
    "sort",
    "string",
    "striptags",
    "sum",
    "title",
    "trim",
    "truncate",
    "unique",
    "upper",
    "urlencode",
    "wordcount",
    "tojson",
)

_KEPT_TESTS = (
    "defined", "undefined", "none", "number", "string", "mapping", "sequence", "in", "eq", "ne", "lt", "gt", "le",
    "ge", "odd", "even", "divisibleby", "boolean", "true", "false", "integer", "float", "lower", "upper",
)  # fmt: skip


def parse_repo_url(value: Any) -> dict[str, str]:
    """``github.com?owner=o&repo=r`` (the RepoUrlPicker's value) as ``{host, owner, repo, ...}``."""
    if not isinstance(value, str) or not value:
        raise TemplateError("parseRepoUrl needs a repository URL such as 'github.com?owner=o&repo=r'")
    host, _, query = value.partition("?")
    if "://" in host:
        host = host.split("://", 1)[1]
    fields = {key: values[-1] for key, values in parse_qs(query).items()}
    if not host or not fields.get("repo"):
        raise TemplateError(f"Invalid repo URL passed to parser, missing repo in {value!r}")
    parsed = {"host": host}
    for key in ("owner", "repo", "organization", "workspace", "project"):
        if fields.get(key):
            parsed[key] = fields[key]
    return parsed


def project_slug(value: Any) -> str:
    parsed = parse_repo_url(value)
    return f"{parsed.get('owner') or parsed.get('project') or parsed.get('workspace', '')}/{parsed['repo']}"


def parse_entity_ref_filter(value: Any, context: Mapping[str, Any] | None = None) -> dict[str, str]:
    context = context if isinstance(context, Mapping) else {}
    try:
        ref = parse_entity_ref(
            value,
            default_kind=context.get("defaultKind") or None,
            default_namespace=context.get("defaultNamespace") or None,
        )
    except InvalidEntityRef as error:
        raise TemplateError(str(error)) from None
    return {"kind": ref.kind, "namespace": ref.namespace, "name": ref.name}


def pick(value: Any, path: Any) -> Any:
    """lodash ``get``: ``pick(obj, 'a.b.0.c')``; a missing key gives undefined."""
    current = value
    for part in str(path).replace("[", ".").replace("]", "").split("."):
        if part == "":
            continue
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return NunjucksUndefined()
    return current


def dump(value: Any, indent: Any = None) -> str:
    return json.dumps(to_json(value), indent=indent if isinstance(indent, int) else None)


def _default(value: Any, default: Any = "", boolean: bool = False) -> Any:
    if isinstance(value, Undefined) or value is None or (boolean and not value):
        return default
    return value


def _replace(value: Any, old: Any, new: Any = "", count: Any = None) -> str:
    text = to_text(value)
    result = text.replace(to_text(old), to_text(new), count if isinstance(count, int) else -1)
    return check_size(result)


def _range(*args: Any) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise RenderLimitExceeded(f"range() is limited to {MAX_RANGE} items")
    return numbers


def _size_checked(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        check_time()
        return check_size(function(*args, **kwargs))

    for attribute in ("jinja_pass_arg",):
        if hasattr(function, attribute):
            setattr(wrapped, attribute, getattr(function, attribute))
    return wrapped


def make_environment(
    *, cookiecutter: bool = False, trim_blocks: bool = False, lstrip_blocks: bool = False
) -> ScaffolderEnvironment:
    """A fresh sandbox for step inputs (``${{ }}``) or, with ``cookiecutter``, for ``{{ }}`` skeletons."""
    start = "{{" if cookiecutter else "${{"
    environment = ScaffolderEnvironment(
        variable_start_string=start,
        variable_end_string="}}",
        undefined=NunjucksUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=trim_blocks,
        lstrip_blocks=lstrip_blocks,
    )
    builtin = environment.filters
    filters: dict[str, Any] = {name: builtin[name] for name in _KEPT_FILTERS}
    filters.update(
        default=_default,
        d=_default,
        replace=_replace,
        dump=dump,
        safe=lambda value: value,
        parseRepoUrl=parse_repo_url,
        projectSlug=project_slug,
        parseEntityRef=parse_entity_ref_filter,
        pick=pick,
    )
    if cookiecutter:
        filters["jsonify"] = dump
    environment.filters = {name: _size_checked(function) for name, function in filters.items()}
    environment.filters["_watched_iter"] = watched_iter
    environment.filters["_checked_concat"] = checked_concat
    environment.globals = {"range": _range}
    environment.tests = {name: environment.tests[name] for name in _KEPT_TESTS}
    return environment


@functools.cache
def environment_for(
    cookiecutter: bool, trim_blocks: bool = False, lstrip_blocks: bool = False
) -> ScaffolderEnvironment:
    """One shared sandbox per combination of options (fetch:template's ``trimBlocks``/``lstripBlocks``)."""
    return make_environment(cookiecutter=cookiecutter, trim_blocks=trim_blocks, lstrip_blocks=lstrip_blocks)


def to_json(value: Any) -> Any:
    """A rendered value as JSON data: undefined becomes None, tuples lists; non-data objects are dropped."""
    if isinstance(value, Undefined) or value is None:
        return None
    if isinstance(value, bool | int | str):
        return value if not isinstance(value, str) else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | range):
        return [to_json(item) for item in value]
    return None  # functions, macros, template internals: nothing a template may pass on
