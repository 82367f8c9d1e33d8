"""What the Create form says when an answer does not match its field's ``pattern``.

The API keeps the exact message (``must match the pattern ^[a-z-]+$``): its callers wrote the
request and can read a regular expression. A person filling in the form gets the field's own
words instead: its ``ui:help`` or ``description``, and an example of an answer that fits, taken
from the schema's ``examples``, its ``ui:placeholder`` or its ``default`` (only one the pattern
accepts, so the example never misleads).
"""

from __future__ import annotations

from typing import Any

from .parameters import MAX_MESSAGE_VALUE, show_value
from .schema_patterns import PatternError, pattern_matches

# What the form says when the field gives no words of its own.
NOT_IN_FORM = "is not in the expected format"


def ui_at(ui_schema: dict[str, Any], path: list[Any]) -> dict[str, Any]:
    """The uiSchema of the property at ``path`` (names, and indexes into arrays' ``items``)."""
    ui: Any = ui_schema
    for part in path:
        ui = ui.get("items" if isinstance(part, int) else str(part)) if isinstance(ui, dict) else None
    return ui if isinstance(ui, dict) else {}


def pattern_form_message(schema: dict[str, Any], ui: dict[str, Any], pattern: str) -> str:
    """The form's words for a value ``pattern`` refused, from the field's ``schema`` and ``ui``."""
    help_text = _text(ui.get("ui:help")) or _text(schema.get("description"))
    message = f"{NOT_IN_FORM}: {_sentence(help_text)}" if help_text else NOT_IN_FORM
    example = fitting_example(schema, ui, pattern)
    return f"{message} (for example {show_value(example)})" if example else message


def fitting_example(schema: dict[str, Any], ui: dict[str, Any], pattern: str) -> str:
    """The first of the field's examples, placeholder and default that ``pattern`` accepts; ``""`` if none."""
    examples = schema.get("examples")
    candidates = [*(examples if isinstance(examples, list) else []), ui.get("ui:placeholder"), schema.get("default")]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            try:
                if pattern_matches(pattern, candidate):
                    return candidate
            except PatternError:
                return ""
    return ""


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _sentence(text: str) -> str:
    """``text`` cut to twice ``MAX_MESSAGE_VALUE`` characters, without its final full stop."""
    text = text if len(text) <= 2 * MAX_MESSAGE_VALUE else text[: 2 * MAX_MESSAGE_VALUE] + "…"
    return text.rstrip(".")
