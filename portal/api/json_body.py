"""Reading JSON request bodies at the edge, refusing what later code cannot hold.

The API's default parser (``portal.api.parsers``) and the webhook reader both use ``load_json``: a
body is refused (400, ``InputError``) before any view sees it when it is not UTF-8 JSON, nests deeper
than ``MAX_JSON_DEPTH`` (deep nesting makes validation, storage and rendering recurse until Python
gives up) or holds a string that PostgreSQL cannot store: a NUL character or a lone UTF-16
surrogate (``"\\ud800"`` is valid JSON, but not encodable as UTF-8). The same limits as the catalog's
YAML reader, so a descriptor means the same whether it arrives as a file or as a body.
"""

from __future__ import annotations

import json
import re
from typing import Any

# As deep as the catalog's YAML reader reads (catalog.formats.yaml_reader); Backstage descriptors stay far below.
MAX_JSON_DEPTH = 64
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class UnreadableJson(ValueError):
    """JSON text that is refused; ``str()`` names the field and the reason, safe to return to the caller."""


def _where(path: list[str | int]) -> str:
    return "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in path).lstrip(".") or "the body"


def check_json_value(value: Any, *, what: str = "request body", max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise ``UnreadableJson`` naming the first field nested too deep or holding an unstorable string.

    Walks with its own stack, so a deep value cannot exhaust Python's recursion limit here.
    """
    stack: list[tuple[Any, list[str | int]]] = [(value, [])]
    while stack:
        item, path = stack.pop()
        if len(path) > max_depth:
            raise UnreadableJson(f"{what}: {_where(path[:max_depth])} nests deeper than {max_depth} levels")
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                raise UnreadableJson(
                    f"{what}: {_where(path)} holds a NUL character or a lone UTF-16 surrogate, which cannot be stored"
                )
        elif isinstance(item, dict):
            for key, child in item.items():
                if _UNSTORABLE.search(key):
                    raise UnreadableJson(
                        f"{what}: a key in {_where(path)} holds a NUL character or a lone UTF-16 surrogate"
                    )
                stack.append((child, [*path, key]))
        elif isinstance(item, list):
            stack.extend((child, [*path, index]) for index, child in enumerate(item))


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON (RFC 8259), though Python's reader takes them; DRF's strict mode agrees.
    raise ValueError(f"{name} is not a JSON value")


def load_json(data: bytes | str, *, what: str = "request body") -> Any:
    """Parse JSON text and check it (``check_json_value``); every failure is an ``UnreadableJson`` naming ``what``."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, parse_constant=_refuse_constant)
    except UnicodeDecodeError as error:
        raise UnreadableJson(f"{what} is not UTF-8: {error}") from None
    except RecursionError:
        raise UnreadableJson(f"{what} nests deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as error:
        raise UnreadableJson(f"{what} is not valid JSON: {error}") from None
    check_json_value(value, what=what)
    return value
