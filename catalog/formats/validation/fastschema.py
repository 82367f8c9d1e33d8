"""Compile the small JSON Schema subset used by the kind schemas into plain Python checks.

`jsonschema` gives exact, well-described errors but costs tens of microseconds
per entity even when nothing is wrong. Ingestion checks a hundred thousand
entities in one go, so the verdict comes from a compiled predicate and
`jsonschema` is asked for details only when that predicate says no. The two are
kept in agreement by a property test; a schema using a keyword outside this
subset is refused at compile time rather than checked loosely.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]

# Keywords that describe a schema without constraining it.
_ANNOTATIONS = frozenset({"x-message", "description", "title", "examples", "default", "$schema", "$id"})

_TYPES: dict[str, Check] = {
    "string": lambda value: isinstance(value, str),
    "array": lambda value: isinstance(value, list),
    "object": lambda value: isinstance(value, dict),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "integer": lambda value: (
        (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())
    ),
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
}


def _json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON Schema means it: `true` is not `1`."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if isinstance(left, str) or isinstance(right, str):
        return isinstance(left, str) and isinstance(right, str) and left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_json_equal(left[key], right[key]) for key in left)
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    return left is None and right is None


def _type_check(expected: str | list[str]) -> Check:
    if isinstance(expected, str):
        return _TYPES[expected]
    options = [_TYPES[name] for name in expected]
    return lambda value: any(option(value) for option in options)


def _properties_check(properties: dict[str, Any]) -> Check:
    compiled = [(name, compile_schema(subschema)) for name, subschema in properties.items()]

    def check(value: Any) -> bool:
        return not isinstance(value, dict) or all(subcheck(value[name]) for name, subcheck in compiled if name in value)

    return check


def _additional_check(schema: dict[str, Any]) -> Check:
    known = frozenset(schema.get("properties", {}))
    extra = schema["additionalProperties"]
    if "patternProperties" in schema:
        raise NotImplementedError("patternProperties")
    if extra is True:
        return lambda value: True
    if extra is False:
        return lambda value: not isinstance(value, dict) or value.keys() <= known
    subcheck = compile_schema(extra)
    return lambda value: (
        not isinstance(value, dict) or all(subcheck(item) for name, item in value.items() if name not in known)
    )


def _keyword_check(keyword: str, argument: Any, schema: dict[str, Any]) -> Check | None:
    if keyword in _ANNOTATIONS:
        return None
    if keyword == "type":
        return _type_check(argument)
    if keyword == "properties":
        return _properties_check(argument)
    if keyword == "additionalProperties":
        return _additional_check(schema)
    if keyword == "required":
        names = tuple(argument)
        return lambda value: not isinstance(value, dict) or all(name in value for name in names)
    if keyword == "items":
        subcheck = compile_schema(argument)
        return lambda value: not isinstance(value, list) or all(subcheck(item) for item in value)
    if keyword == "minLength":
        return lambda value: not isinstance(value, str) or len(value) >= argument
    if keyword == "maxLength":
        return lambda value: not isinstance(value, str) or len(value) <= argument
    if keyword == "minItems":
        return lambda value: not isinstance(value, list) or len(value) >= argument
    if keyword == "const":
        return lambda value: _json_equal(value, argument)
    if keyword == "enum":
        return lambda value: any(_json_equal(value, option) for option in argument)
    if keyword == "oneOf":
        options = [compile_schema(option) for option in argument]
        return lambda value: sum(1 for option in options if option(value)) == 1
    raise NotImplementedError(f"JSON Schema keyword {keyword!r} is not supported by the fast checker")


def compile_schema(schema: dict[str, Any]) -> Check:
    """Return a predicate that accepts exactly the values `schema` accepts (draft 7 semantics)."""
    checks = [
        check
        for keyword, argument in schema.items()
        if (check := _keyword_check(keyword, argument, schema)) is not None
    ]
    if not checks:
        return lambda value: True
    if len(checks) == 1:
        return checks[0]
    return lambda value: all(check(value) for check in checks)
