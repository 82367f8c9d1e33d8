"""Backstage's ``${{ ... }}`` templating, on Jinja2's sandbox with Nunjucks' semantics.

Templates are hostile input: they run in ``SandboxedEnvironment`` with attribute access narrowed to
JSON data (dict keys, ``length`` and a few string methods), every underscore or interpreter name
refused with ``SandboxViolation``, and a time and size budget checked in loops, calls, filters and
operators, so neither a deep loop nor a doubling string can hold a worker. The Nunjucks rules that
Backstage templates rely on are kept: a value that is only ``${{ expr }}`` keeps its JSON type, an
undefined lookup renders empty, ``===``/``!==``/``null`` work, and an empty result means "absent".

This module renders; the sandbox is ``scaffolder.template_sandbox`` and Backstage's filters are
``scaffolder.template_filters``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, TemplateRuntimeError

from .template_filters import environment_for, parse_repo_url, to_json
from .template_sandbox import (
    MAX_OUTPUT_CHARS,
    MAX_RENDER_SECONDS,
    RenderBudget,
    RenderLimitExceeded,
    SandboxViolation,
    TemplateError,
    check_time,
    render_budget,
    translate_operators,
)

__all__ = [
    "ABSENT",
    "RenderLimitExceeded",
    "SandboxViolation",
    "TemplateError",
    "is_truthy",
    "names_read",
    "parse_repo_url",
    "render_string",
    "render_tree",
    "render_value",
    "to_json",
]

ABSENT: Any = None  # what an empty single-expression render becomes: the key is dropped

_SINGLE_EXPRESSION = re.compile(r"^\s*\$\{\{(?P<expr>(?:(?!\$\{\{|\}\}).)*)\}\}\s*$", re.DOTALL)

_STEP_ENVIRONMENT = environment_for(False)


def _guarded(function: Callable[[], Any], max_chars: int, seconds: float) -> Any:
    token = render_budget.set(RenderBudget(time.monotonic() + seconds, max_chars))
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
        render_budget.reset(token)


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
            check_time()
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
                translate_operators("{{" + expression + "}}")[2:-2], undefined_to_none=False
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
