"""JSON Schema validation of template parameters with every regular expression run by RE2.

A template's ``pattern`` and ``patternProperties`` are written by whoever can register a template,
and Python's ``re`` backtracks: ``(a+)+$`` against forty ``a`` and a ``b`` would hold a web worker for
minutes. Here every such expression (the ``pattern`` and ``patternProperties`` keywords, the
``patternProperties`` lookup behind ``additionalProperties``, and the ``regex`` format) is compiled
and matched by google-re2, whose matching time is linear in the input. RE2 has no look-around and
no back-references; a pattern using them is refused, naming the field, rather than run elsewhere.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import re2
from jsonschema import Draft7Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

# Enough distinct patterns for every template in a large catalog; compiling is the costly part.
_CACHE_SIZE = 1024
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported to its author, not to the server's stderr
_HEX = frozenset("0123456789abcdefABCDEF")


# How every message about an unusable pattern begins.
PATTERN_PROBLEM = "the template's pattern "


class PatternError(ValueError):
    """A pattern RE2 cannot compile; the message says why."""


@functools.lru_cache(maxsize=_CACHE_SIZE)
def compile_pattern(pattern: str) -> Any:
    """The RE2 program for a JSON Schema (ECMA-262) ``pattern``; ``PatternError`` if RE2 refuses it."""
    if not isinstance(pattern, str):
        raise PatternError(f"{pattern!r} is not a string")
    try:
        return re2.compile(_ecma_escapes(pattern), _OPTIONS)
    except re2.error as error:
        reason = error.args[0].decode("utf-8", "replace") if error.args and isinstance(error.args[0], bytes) else error
        raise PatternError(
            f"{_short(pattern)!r} cannot be used: {reason} (patterns run on RE2: no look-around or back-references)"
        ) from None


def pattern_matches(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches anywhere in ``text``, as JSON Schema's ``pattern`` asks."""
    return compile_pattern(pattern).search(text) is not None


def _ecma_escapes(pattern: str) -> str:
    r"""ECMA-262's ``\uXXXX`` spelled as RE2's ``\x{XXXX}``; every other character as it is."""
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            escape = pattern[index + 1]
            digits = pattern[index + 2 : index + 6]
            if escape == "u" and len(digits) == 4 and set(digits) <= _HEX:
                out.append(f"\\x{{{digits}}}")
                index += 6
                continue
            out.append(pattern[index : index + 2])
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _unusable(error: PatternError) -> ValidationError:
    # Its own keyword name, so that messages do not read as "must match the pattern".
    return ValidationError(f"{PATTERN_PROBLEM}{error}", validator="patternSupport")


def _pattern(validator: Any, pattern: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    try:
        matched = pattern_matches(pattern, instance)
    except PatternError as error:
        yield _unusable(error)
        return
    if not matched:
        yield ValidationError(f"{_short(instance)!r} does not match {_short(str(pattern))!r}")


def _pattern_properties(
    validator: Any, patterns: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, sub_schema in patterns.items():
        try:
            regex = compile_pattern(pattern)
        except PatternError as error:
            yield _unusable(error)
            continue
        for key, value in instance.items():
            if regex.search(key) is not None:
                yield from validator.descend(value, sub_schema, path=key, schema_path=pattern)


def _additional(validator: Any, allowed: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    patterns = schema.get("patternProperties") if isinstance(schema.get("patternProperties"), dict) else {}
    try:
        regexes = [compile_pattern(pattern) for pattern in patterns]
    except PatternError:
        return  # reported once, by patternProperties
    extras = sorted(
        (key for key in instance if key not in properties and not any(regex.search(key) for regex in regexes)),
        key=str,
    )
    if validator.is_type(allowed, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], allowed, path=extra)
    elif allowed is False and extras:
        names = ", ".join(repr(extra) for extra in extras)
        yield ValidationError(
            f"Additional properties are not allowed ({names} {'was' if len(extras) == 1 else 'were'} unexpected)"
        )


FORMAT_CHECKER = FormatChecker(formats=())
for _name, _check in Draft7Validator.FORMAT_CHECKER.checkers.items():
    FORMAT_CHECKER.checkers[_name] = _check


@FORMAT_CHECKER.checks("regex", raises=PatternError)
def _is_regex(instance: object) -> bool:
    if isinstance(instance, str):
        compile_pattern(instance)
    return True


ParameterValidator = validators.extend(
    Draft7Validator,
    {"pattern": _pattern, "patternProperties": _pattern_properties, "additionalProperties": _additional},
    format_checker=FORMAT_CHECKER,
)
ParameterValidator.__doc__ = "Draft 7, as Backstage validates parameters, with RE2 for every regular expression."
_META_VALIDATOR = Draft7Validator(Draft7Validator.META_SCHEMA, format_checker=FORMAT_CHECKER)


def schema_problems(schema: Any) -> Iterator[tuple[str, str]]:
    """``(field, message)`` for each way ``schema`` is not a Draft 7 schema this validator can run.

    ``field`` is the dotted property whose schema holds the problem (``""`` for the page itself).
    """
    for error in _META_VALIDATOR.iter_errors(schema):
        path = list(error.absolute_path)
        if error.validator == "format" and error.validator_value == "regex" and error.cause is not None:
            yield _field_of(path), f"{PATTERN_PROBLEM}{error.cause}"
        else:
            yield _field_of(path), error.message


def _field_of(schema_path: list[Any]) -> str:
    names, index = [], 0
    while index < len(schema_path) - 1:
        if schema_path[index] == "properties":
            names.append(str(schema_path[index + 1]))
            index += 2
        else:
            index += 1
    return ".".join(names)
