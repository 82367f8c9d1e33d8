"""The YAML 1.2 core schema on PyYAML's event parser, as Backstage's ``yaml`` package reads it.

``CatalogLoader`` is libyaml's event parser (PyYAML's pure-Python one where libyaml is missing) with a
resolver that knows only the core schema's implicit tags (so ``yes``/``no`` and dates stay strings,
``0755`` is decimal) and a constructor that turns scalars into Python values, refusing any tag outside
the core set. A problem confined to one document is a ``DocumentError``; ``StopReading`` also ends
the file. Used by ``catalog.formats.yaml_documents`` and ``catalog.formats.yaml_reader``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from yaml.resolver import BaseResolver

try:
    from yaml.cyaml import CParser as _Parser

    HAS_LIBYAML = True
except ImportError:  # pragma: no cover - exercised only where libyaml is absent
    HAS_LIBYAML = False

_TAG_PREFIX = "tag:yaml.org,2002:"
STR = _TAG_PREFIX + "str"
_INT = _TAG_PREFIX + "int"
_FLOAT = _TAG_PREFIX + "float"
_BOOL = _TAG_PREFIX + "bool"
_NULL = _TAG_PREFIX + "null"
MAP = _TAG_PREFIX + "map"
SEQ = _TAG_PREFIX + "seq"

# Python refuses to convert longer digit strings to int (CVE-2020-10735 guard);
# JavaScript turns them into a float (usually Infinity), so do the same.
_MAX_INT_DIGITS = 4000


class DocumentError(Exception):
    """A problem confined to the document being read."""


class StopReading(DocumentError):
    """A document problem after which the rest of the file is not read.

    libyaml spends time quadratic in the flow nesting depth, so a document
    nested past the limit is not parsed to its end: reading stops there.
    """


def tag_name(tag: str) -> str:
    return "!!" + tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else tag


class _Resolver(BaseResolver):
    """Implicit tags of the YAML 1.2 core schema, spelled as the `yaml` npm package spells them."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


_Resolver.add_implicit_resolver(_NULL, re.compile(r"(?:~|null|Null|NULL)?\Z"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(_BOOL, re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z"), list("tTfF"))
_Resolver.add_implicit_resolver(_INT, re.compile(r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+"
        r"|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)"
        r"|[-+]?\.(?:inf|Inf|INF)"
        r"|\.(?:nan|NaN|NAN))\Z"
    ),
    list("-+.0123456789"),
)

# First characters with which a plain scalar may resolve to something other than a string: any other
# plain scalar is a string without asking the resolver (no resolver here matches every character).
IMPLICIT_FIRST_CHARACTERS = frozenset(key for key in _Resolver.yaml_implicit_resolvers if key)
assert None not in _Resolver.yaml_implicit_resolvers

_INT_FORM = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT_FORM = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_BOOL_FORM = re.compile(r"true|True|TRUE|false|False|FALSE")
_NULL_FORM = re.compile(r"(?:~|null|Null|NULL)?")


def _to_int(text: str) -> int | float:
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    if len(text) > _MAX_INT_DIGITS:
        return float(text)
    return int(text, 10)


def _to_float(text: str) -> float:
    lowered = text.lower()
    if lowered == ".nan":
        return math.nan
    if lowered.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    return float(text)


def _construct_str(text: str) -> str:
    return text


def _construct_int(text: str) -> int | float:
    if not _INT_FORM.fullmatch(text):
        raise DocumentError(f"'{text}' is not an integer")
    return _to_int(text)


def _construct_float(text: str) -> float:
    if not (_FLOAT_FORM.fullmatch(text) or _INT_FORM.fullmatch(text)):
        raise DocumentError(f"'{text}' is not a number")
    if _INT_FORM.fullmatch(text):
        return float(_to_int(text))
    return _to_float(text)


def _construct_bool(text: str) -> bool:
    if not _BOOL_FORM.fullmatch(text):
        raise DocumentError(f"'{text}' is not a boolean")
    return text[0] in "tT"


def _construct_null(text: str) -> None:
    if not _NULL_FORM.fullmatch(text):
        raise DocumentError(f"'{text}' is not null")
    return None


class _Constructor:
    """Builds Python values for scalars; only the core-schema tags are known."""

    scalar_constructors: dict[str, Callable[[str], Any]] = {
        STR: _construct_str,
        _INT: _construct_int,
        _FLOAT: _construct_float,
        _BOOL: _construct_bool,
        _NULL: _construct_null,
    }

    def construct_scalar_value(self, tag: str, text: str) -> Any:
        """Return the value of a scalar whose tag is already resolved."""
        construct = self.scalar_constructors.get(tag)
        if construct is None:
            raise DocumentError(f"tag {tag_name(tag)} is not allowed")
        return construct(text)


if HAS_LIBYAML:

    class CatalogLoader(_Parser, _Constructor, _Resolver):
        """libyaml's event parser with the core-schema resolver and constructor."""

        def __init__(self, text: str | bytes) -> None:
            _Parser.__init__(self, text)
            _Resolver.__init__(self)

else:  # pragma: no cover - exercised only where libyaml is absent
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class CatalogLoader(Reader, Scanner, Parser, _Constructor, _Resolver):  # type: ignore[no-redef]
        """PyYAML's pure-Python event parser with the core-schema resolver and constructor."""

        def __init__(self, text: str | bytes) -> None:
            Reader.__init__(self, text)
            Scanner.__init__(self)
            Parser.__init__(self)
            _Resolver.__init__(self)
