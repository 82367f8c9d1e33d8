"""Backstage's ``${{ ... }}`` templating, on Jinja2's sandbox with Nunjucks' semantics.

Templates are hostile input: they run in ``SandboxedEnvironment`` with attribute access narrowed to
JSON data (dict keys, ``length`` and a few string methods), every underscore or interpreter name
refused with ``SandboxViolation``, and a time and size budget checked in loops, calls, filters and
operators, so neither a deep loop nor a doubling string can hold a worker. The Nunjucks rules that
Backstage templates rely on are kept: a value that is only ``${{ expr }}`` keeps its JSON type, an
undefined lookup renders empty, ``===``/``!==``/``null`` work, and an empty result means "absent".
"""

from __future__ import annotations

import contextvars
import functools
import json
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from jinja2 import ChainableUndefined, TemplateSyntaxError, Undefined, meta, nodes
from jinja2.exceptions import SecurityError, TemplateRuntimeError
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

from catalog.formats.refs import InvalidEntityRef, parse_entity_ref

MAX_RENDER_SECONDS = 2.0
MAX_OUTPUT_CHARS = 2_000_000
MAX_RANGE = 10_000
# Integers past this many bits cannot be printed anyway (Python's 4300-digit limit), and one
# ``**`` or ``*`` on such numbers is a single C call the render clock cannot interrupt.
MAX_INT_BITS = 8_192
ABSENT: Any = None  # what an empty single-expression render becomes: the key is dropped

_SINGLE_EXPRESSION = re.compile(r"^\s*\$\{\{(?P<expr>(?:(?!\$\{\{|\}\}).)*)\}\}\s*$", re.DOTALL)
_DANGEROUS_NAMES = frozenset(
    {"mro", "globals", "func_globals", "f_globals", "f_locals", "f_back", "gi_frame", "gi_code", "cr_frame",
     "tb_frame", "co_code", "im_func", "func_code", "format", "format_map", "builtins", "subclasses"}
)  # fmt: skip
# JavaScript spellings templates use on strings and arrays; nothing else of a Python object is reachable.
_STRING_METHODS: dict[str, Callable[[str], Any]] = {
    "length": len,
    "toLowerCase": lambda value: lambda: value.lower(),
    "toUpperCase": lambda value: lambda: value.upper(),
    "trim": lambda value: lambda: value.strip(),
    "split": lambda value: lambda sep=None, limit=-1: value.split(sep)[: None if limit < 0 else limit],
    "startsWith": lambda value: lambda prefix: value.startswith(prefix),
    "endsWith": lambda value: lambda suffix: value.endswith(suffix),
    "includes": lambda value: lambda part: part in value,
    "replace": lambda value: lambda old, new: value.replace(old, new, 1),
}
_LIST_METHODS: dict[str, Callable[[list], Any]] = {
    "length": len,
    "includes": lambda value: lambda item: item in value,
    "join": lambda value: lambda sep=",": sep.join(str(item) for item in value),
}
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


class TemplateError(ValueError):
    """A template that cannot be rendered; the message says what is wrong and is safe to show."""


class SandboxViolation(TemplateError):
    """A template reached for something outside the data it was given."""


class RenderLimitExceeded(TemplateError):
    """A template ran too long or produced too much."""


@dataclass(frozen=True)
class _Budget:
    deadline: float
    max_chars: int


_budget: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("scaffolder_render_budget", default=None)


def _check_time() -> None:
    budget = _budget.get()
    if budget is not None and time.monotonic() > budget.deadline:
        raise RenderLimitExceeded(f"template rendering took longer than {MAX_RENDER_SECONDS:g}s and was stopped")


def _check_size(value: Any) -> Any:
    budget = _budget.get()
    if budget is not None and isinstance(value, str | list | tuple | dict) and len(value) > budget.max_chars:
        raise RenderLimitExceeded(f"template output exceeds the limit of {budget.max_chars} characters")
    return value


class _Watch(NodeTransformer):
    """Routes every loop and ``~`` concatenation through budget checks (they bypass the sandbox hooks)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, "_watched_iter", [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        items = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Filter(items, "_checked_concat", [], [], None, None, lineno=node.lineno)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _watched_iter(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _check_time()
        yield item


def _checked_concat(parts: list[Any]) -> str:
    return _check_size("".join(_to_text(part) for part in parts))


def _to_text(value: Any) -> str:
    if isinstance(value, Undefined) or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


class _Undefined(ChainableUndefined):
    """Nunjucks' undefined: renders empty, chains (``a.b.c``), is falsy, and never raises."""

    __slots__ = ()

    def __str__(self) -> str:
        return ""


class ScaffolderEnvironment(SandboxedEnvironment):
    """A Jinja2 sandbox that exposes JSON data only and keeps to a time and size budget."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        return False  # attribute access is fully handled by ``getattr`` below

    def getattr(self, obj: Any, attribute: str) -> Any:
        _check_time()
        if isinstance(attribute, str) and attribute.startswith("__"):
            raise SandboxViolation(f"access to {attribute!r} is not allowed in templates")
        if isinstance(obj, Undefined):
            return self.undefined(name=attribute)
        if isinstance(obj, Mapping):
            return obj[attribute] if attribute in obj else self.undefined(obj=obj, name=attribute)
        if not isinstance(attribute, str):
            return self.undefined(obj=obj, name=str(attribute))
        if attribute.startswith("_") or attribute in _DANGEROUS_NAMES:
            raise SandboxViolation(f"access to {attribute!r} is not allowed in templates")
        if isinstance(obj, str) and attribute in _STRING_METHODS:
            return _STRING_METHODS[attribute](obj)
        if isinstance(obj, list | tuple) and attribute in _LIST_METHODS:
            return _LIST_METHODS[attribute](list(obj))
        return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _check_time()
        if isinstance(argument, str) and argument.startswith("__"):
            raise SandboxViolation(f"access to {argument!r} is not allowed in templates")
        if isinstance(obj, Mapping):
            if isinstance(argument, str) and argument in obj:
                return obj[argument]
            return self.undefined(obj=obj, name=str(argument))
        if isinstance(obj, list | tuple | str) and isinstance(argument, int | slice):
            try:
                return obj[argument]
            except (IndexError, ValueError, TypeError):
                return self.undefined(obj=obj, name=str(argument))
        if isinstance(argument, str):
            return self.getattr(obj, argument)
        return self.undefined(obj=obj, name=str(argument))

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SandboxViolation(f"access to {attribute!r} is not allowed in templates")

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_time()
        if isinstance(__obj, Undefined):
            return self.undefined(name="call of an undefined value")
        return _check_size(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_time()
        if operator == "%":
            if isinstance(left, str):
                raise SandboxViolation("the % formatting operator is not allowed in templates")
            return left % right
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > 64:
                raise RenderLimitExceeded("exponent too large")
            if _is_int(left) and _is_int(right) and right > 1 and (abs(left).bit_length() - 1) * right > MAX_INT_BITS:
                raise RenderLimitExceeded(f"number too large: the result would pass {MAX_INT_BITS} bits")
            return left**right
        if operator == "*":
            if _is_int(left) and _is_int(right) and abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
                raise RenderLimitExceeded(f"number too large: the result would pass {MAX_INT_BITS} bits")
            for text, count in ((left, right), (right, left)):
                if isinstance(text, str | list | tuple) and isinstance(count, int):
                    budget = _budget.get()
                    if budget is not None and len(text) * count > budget.max_chars:
                        raise RenderLimitExceeded(f"template output exceeds the limit of {budget.max_chars} characters")
            return left * right
        if isinstance(left, str) or isinstance(right, str):  # JavaScript's + concatenates
            return _check_size(_to_text(left) + _to_text(right))
        return left + right

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return _Watch().visit(super()._parse(_translate(source), name, filename))


def _translate(source: str) -> str:
    """JavaScript's ``===``, ``!==`` and ``null`` in tags and expressions, never inside string literals."""
    out: list[str] = []
    index = 0
    quote: str | None = None
    depth = 0  # inside ``${{ }}``/``{{ }}``/``{% %}``
    length = len(source)
    while index < length:
        char = source[index]
        if depth == 0:
            if source.startswith(("{{", "{%"), index):
                depth = 1
                out.append(source[index : index + 2])
                index += 2
                continue
            out.append(char)
            index += 1
            continue
        if quote:
            out.append(char)
            if char == "\\" and index + 1 < length:
                out.append(source[index + 1])
                index += 2
                continue
            if char == quote:
                quote = None
            index += 1
            continue
        if char in "'\"":
            quote = char
        elif source.startswith(("}}", "%}"), index):
            depth = 0
            out.append(source[index : index + 2])
            index += 2
            continue
        elif source.startswith(("===", "!=="), index):
            out.append(source[index : index + 2])
            index += 3
            continue
        elif (
            source.startswith("null", index) and not _word_char(source, index - 1) and not _word_char(source, index + 4)
        ):
            out.append("none")
            index += 4
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _word_char(source: str, *indexes: int) -> bool:
    return any(0 <= index < len(source) and (source[index].isalnum() or source[index] in "_.") for index in indexes)


# --- Backstage's filters ---------------------------------------------------------------------


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
            return _Undefined()
    return current


def dump(value: Any, indent: Any = None) -> str:
    return json.dumps(to_json(value), indent=indent if isinstance(indent, int) else None)


def _default(value: Any, default: Any = "", boolean: bool = False) -> Any:
    if isinstance(value, Undefined) or value is None or (boolean and not value):
        return default
    return value


def _replace(value: Any, old: Any, new: Any = "", count: Any = None) -> str:
    text = _to_text(value)
    result = text.replace(_to_text(old), _to_text(new), count if isinstance(count, int) else -1)
    return _check_size(result)


def _range(*args: Any) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise RenderLimitExceeded(f"range() is limited to {MAX_RANGE} items")
    return numbers


def _size_checked(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        _check_time()
        return _check_size(function(*args, **kwargs))

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
        undefined=_Undefined,
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
    environment.filters["_watched_iter"] = _watched_iter
    environment.filters["_checked_concat"] = _checked_concat
    environment.globals = {"range": _range}
    environment.tests = {name: environment.tests[name] for name in _KEPT_TESTS}
    return environment


@functools.cache
def environment_for(
    cookiecutter: bool, trim_blocks: bool = False, lstrip_blocks: bool = False
) -> ScaffolderEnvironment:
    """One shared sandbox per combination of options (fetch:template's ``trimBlocks``/``lstripBlocks``)."""
    return make_environment(cookiecutter=cookiecutter, trim_blocks=trim_blocks, lstrip_blocks=lstrip_blocks)


_STEP_ENVIRONMENT = environment_for(False)


# --- Rendering ------------------------------------------------------------------------------


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


def _guarded(function: Callable[[], Any], max_chars: int, seconds: float) -> Any:
    token = _budget.set(_Budget(time.monotonic() + seconds, max_chars))
    try:
        return function()
    except TemplateError:
        raise
    except SecurityError as error:
        raise SandboxViolation(f"template refused by the sandbox: {error}") from None
    except TemplateSyntaxError as error:
        raise TemplateError(f"template syntax error on line {error.lineno}: {error.message}") from None
    except TemplateRuntimeError as error:
        raise TemplateError(f"template error: {error}") from None
    except RecursionError:
        raise RenderLimitExceeded("template recursion is too deep") from None
    except MemoryError:
        raise RenderLimitExceeded("template output is too large") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as error:
        raise TemplateError(f"template error: {type(error).__name__}: {error}") from None
    finally:
        _budget.reset(token)


def render_string(
    source: str,
    context: Mapping[str, Any],
    *,
    cookiecutter: bool = False,
    trim_blocks: bool = False,
    lstrip_blocks: bool = False,
    max_chars: int = MAX_OUTPUT_CHARS,
    seconds: float = MAX_RENDER_SECONDS,
) -> str:
    """Render ``source`` as text (skeleton file contents and names)."""
    environment = environment_for(cookiecutter, trim_blocks, lstrip_blocks)

    def render() -> str:
        template = environment.from_string(source)
        pieces: list[str] = []
        size = 0
        for piece in template.generate(dict(context)):
            _check_time()
            size += len(piece)
            if size > max_chars:
                raise RenderLimitExceeded(f"template output exceeds the limit of {max_chars} characters")
            pieces.append(piece)
        return "".join(pieces)

    return _guarded(render, max_chars, seconds)


def render_value(source: str, context: Mapping[str, Any]) -> Any:
    """Render one templated string from a step, keeping the JSON type of a lone ``${{ expr }}``.

    An empty result is ``None`` (Backstage drops the key).
    """
    if "${{" not in source and "{%" not in source:
        return source
    match = _SINGLE_EXPRESSION.match(source)
    if match:
        expression = match.group("expr")

        def evaluate() -> Any:
            compiled = _STEP_ENVIRONMENT.compile_expression(
                _translate("{{" + expression + "}}")[2:-2], undefined_to_none=False
            )
            return to_json(compiled(**dict(context)))

        value = _guarded(evaluate, MAX_OUTPUT_CHARS, MAX_RENDER_SECONDS)
        return None if value == "" else value
    text = render_string(source, context)
    return None if text == "" else text


def names_read(source: str) -> frozenset[str]:
    """The context names a step's templated string reads (``parameters``, ``each``, ``steps``...)."""
    if "${{" not in source and "{%" not in source:
        return frozenset()
    found = _guarded(
        lambda: meta.find_undeclared_variables(_STEP_ENVIRONMENT.parse(source)), MAX_OUTPUT_CHARS, MAX_RENDER_SECONDS
    )
    return frozenset(found)


def render_tree(value: Any, context: Mapping[str, Any]) -> Any:
    """Render every string in a JSON tree; keys whose value renders empty are dropped, as in Backstage."""
    if isinstance(value, str):
        return render_value(value, context)
    if isinstance(value, list):
        return [render_tree(item, context) for item in value]
    if isinstance(value, dict):
        rendered = {}
        for key, item in value.items():
            result = render_tree(item, context)
            if result is not None or item is None:
                rendered[key] = result
        return rendered
    return value


def is_truthy(value: Any) -> bool:
    """Backstage's ``isTruthy``: JavaScript truthiness, except that an empty array is false."""
    if isinstance(value, dict):
        return True
    if isinstance(value, str):
        return value != ""
    return bool(value)
