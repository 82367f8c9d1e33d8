"""Show names, titles and refs from data so that no character can hide or reorder what is shown.

Bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and friends) reorder the text around them,
so ``evil\u202etxt.exe`` displays as ``evilexe.txt``; zero-width and other format characters make
two different names look the same. Each such character is replaced by a visible marker naming
its code point, and the value is isolated in ``<bdi>`` so right-to-left text (legitimate in a
title) cannot reorder the page around it.
"""

from __future__ import annotations

import unicodedata

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Format characters that shape scripts (Persian, Indic) and emoji sequences; shown as they are.
_JOINERS = frozenset("\u200c\u200d")
# Letters that render as blank space and are used to fake empty or look-alike names.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_CATEGORIES = ("Cf", "Cc", "Zl", "Zp", "Co", "Cn")


def is_hidden(character: str) -> bool:
    """Whether ``character`` changes or hides what is displayed instead of showing as itself."""
    if character in _JOINERS or character in "\t\n":
        return False
    return character in _BLANK_LETTERS or unicodedata.category(character) in _CATEGORIES


def _marker(character: str) -> str:
    code = f"U+{ord(character):04X}"
    name = unicodedata.name(character, "unnamed character").lower()
    return format_html('<span class="hidden-char" title="{} {}">[{}]</span>', code, name, code)


def visible_html(text: object) -> SafeString:
    """``text`` HTML-escaped, each hidden character replaced by a visible marker."""
    value = "" if text is None else str(text)
    if value.isascii() and value.isprintable():
        return escape(value)
    return mark_safe("".join(_marker(char) if is_hidden(char) else str(escape(char)) for char in value))


def visible_text(text: object) -> str:
    """``text`` as plain text with each hidden character written as ``[U+XXXX]`` (for ``<title>``, attributes)."""
    value = "" if text is None else str(text)
    if value.isascii() and value.isprintable():
        return value
    return "".join(f"[U+{ord(char):04X}]" if is_hidden(char) else char for char in value)


def isolated_html(text: object) -> SafeString:
    """``visible_html(text)`` in ``<bdi>``, isolated from the direction of the text around it."""
    return format_html("<bdi>{}</bdi>", visible_html(text))


def attribute_html(text: object) -> SafeString:
    """``text`` escaped for an attribute whose value must round-trip (an option's ``value``): each
    hidden character as a numeric character reference, so none is written to the page raw."""
    value = "" if text is None else str(text)
    if value.isascii() and value.isprintable():
        return escape(value)
    return mark_safe("".join(f"&#x{ord(char):x};" if is_hidden(char) else str(escape(char)) for char in value))
