"""Server-side syntax highlighting of definitions with Pygments.

Pygments escapes the text it formats, so its HTML is safe to mark as such. Its token classes
(``k``, ``s``, ``c``…) are coloured by ``greenroom.css`` with the design tokens, light and dark.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import GraphQLLexer, JsonLexer, ProtoBufLexer, TextLexer, YamlLexer

# Highlighting costs time linear in the text; beyond this only the beginning is shown.
MAX_HIGHLIGHT_CHARS = 200_000


@dataclass(frozen=True)
class HighlightedSource:
    html: SafeString
    language: str
    truncated_at: int | None


def _lexer_for(spec_type: str, text: str) -> tuple[Lexer, str]:
    if spec_type == "graphql":
        return GraphQLLexer(), "GraphQL"
    if spec_type == "grpc":
        return ProtoBufLexer(), "Protocol Buffers"
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return JsonLexer(), "JSON"
    if spec_type in ("openapi", "asyncapi") or stripped[:200].count(":") >= 1:
        return YamlLexer(), "YAML"
    return TextLexer(), "text"


def highlight_source(text: str, spec_type: str) -> HighlightedSource:
    """The definition as highlighted HTML (at most ``MAX_HIGHLIGHT_CHARS`` of it)."""
    truncated_at = None
    if len(text) > MAX_HIGHLIGHT_CHARS:
        text, truncated_at = text[:MAX_HIGHLIGHT_CHARS], MAX_HIGHLIGHT_CHARS
    lexer, language = _lexer_for(spec_type, text)
    formatter = HtmlFormatter(cssclass="highlight", wrapcode=True)
    return HighlightedSource(mark_safe(highlight(text, lexer, formatter)), language, truncated_at)
