"""The sandbox ``${{ ... }}`` templates run in: Jinja2's ``SandboxedEnvironment`` narrowed to JSON data.

Templates are hostile input: attribute access reaches dict keys, ``length`` and a few string and list
methods only, every underscore or interpreter name is refused with ``SandboxViolation``, and a time
and size budget (``render_budget``, set per render by ``scaffolder.templating``) is checked in loops,
calls, filters and operators, so neither a deep loop nor a doubling string can hold a worker.
JavaScript's ``===``, ``!==`` and ``null`` are translated before parsing.
"""

from __future__ import annotations

import contextvars
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import ChainableUndefined, Undefined, nodes
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

MAX_RENDER_SECONDS = 2.0
MAX_OUTPUT_CHARS = 2_000_000
MAX_RANGE = 10_000
# Integers past this many bits cannot be printed anyway (Python's 4300-digit limit), and one
# ``**`` or ``*`` on such numbers is a single C call the render clock cannot interrupt.
MAX_INT_BITS = 8_192

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


class TemplateError(ValueError):
    """A template that cannot be rendered; the message says what is wrong and is safe to show."""


class SandboxViolation(TemplateError):
    """A template reached for something outside the data it was given."""


class RenderLimitExceeded(TemplateError):
    """A template ran too long or produced too much."""


@dataclass(frozen=True)
class RenderBudget:
    deadline: float
    max_chars: int


render_budget: contextvars.ContextVar[RenderBudget | None] = contextvars.ContextVar(
    "scaffolder_render_budget", default=None
)


def check_time() -> None:
    budget = render_budget.get()
    if budget is not None and time.monotonic() > budget.deadline:
        raise RenderLimitExceeded(f"template rendering took longer than {MAX_RENDER_SECONDS:g}s and was stopped")


def check_size(value: Any) -> Any:
    budget = render_budget.get()
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


def watched_iter(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        check_time()
        yield item


def checked_concat(parts: list[Any]) -> str:
    return check_size("".join(to_text(part) for part in parts))


def to_text(value: Any) -> str:
    if isinstance(value, Undefined) or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


class NunjucksUndefined(ChainableUndefined):
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
        check_time()
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
        check_time()
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
        check_time()
        if isinstance(__obj, Undefined):
            return self.undefined(name="call of an undefined value")
        return check_size(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_time()
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
                    budget = render_budget.get()
                    if budget is not None and len(text) * count > budget.max_chars:
                        raise RenderLimitExceeded(f"template output exceeds the limit of {budget.max_chars} characters")
            return left * right
        if isinstance(left, str) or isinstance(right, str):  # JavaScript's + concatenates
            return check_size(to_text(left) + to_text(right))
        return left + right

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return _Watch().visit(super()._parse(translate_operators(source), name, filename))


def translate_operators(source: str) -> str:
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
