"""Snippets with the matched words marked: escaped first, then marked, so data can never add HTML."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.safestring import SafeString, mark_safe

from ..display_text import visible_html

SNIPPET_LENGTH = 220
LEAD = 60


def _pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    # A word matches at the start of a word in the text, as the prefix search does; the mark
    # covers the whole word found.
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", re.IGNORECASE)


def excerpt(text: str, words: Sequence[str], length: int = SNIPPET_LENGTH) -> str:
    """A window of ``text`` around the first matched word (or its start), with ellipses."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    pattern = _pattern(words)
    found = pattern.search(text) if pattern else None
    start = max(0, found.start() - LEAD) if found else 0
    if start:
        # Start on a word boundary.
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < (found.start() if found else start + 20) else start
    end = min(len(text), start + length)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def split_marked(text: str, words: Sequence[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_match) pairs."""
    pattern = _pattern(words)
    if pattern is None:
        return [(text, False)] if text else []
    pieces: list[tuple[str, bool]] = []
    position = 0
    for found in pattern.finditer(text):
        if found.start() > position:
            pieces.append((text[position : found.start()], False))
        pieces.append((found.group(), True))
        position = found.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def mark_html(text: str, words: Sequence[str]) -> SafeString:
    """``text`` HTML-escaped, with matched words in ``<mark>``."""
    html = "".join(
        f"<mark>{visible_html(piece)}</mark>" if is_match else str(visible_html(piece))
        for piece, is_match in split_marked(text, words)
    )
    return mark_safe(html)


def mark_tags(text: str, words: Sequence[str], pre_tag: str, post_tag: str) -> str | None:
    """``text`` with matched words between the API's tags, or None when nothing matched."""
    pieces = split_marked(text, words)
    if not any(is_match for _, is_match in pieces):
        return None
    return "".join(f"{pre_tag}{piece}{post_tag}" if is_match else piece for piece, is_match in pieces)
