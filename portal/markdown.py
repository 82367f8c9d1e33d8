"""Markdown written by users (radar entry descriptions, Soundcheck fix hints) rendered to HTML, then
cleaned with nh3 so the text cannot run script."""

from __future__ import annotations

import markdown as markdown_library
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "span", "del",
}  # fmt: skip
# Headings h1/h2 are left out: the page showing the text owns the document outline.
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "code": {"class"}, "span": {"class"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> SafeString:
    """Sanitised HTML for ``text``; links get ``rel="noopener noreferrer"`` and only safe schemes."""
    html = markdown_library.markdown(text or "", extensions=["fenced_code", "tables"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)
