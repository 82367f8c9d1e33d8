"""Schema trees as HTML, built in Python: thousands of nodes through a recursive template include
would cost more than the rest of the page. Every value goes through ``format_html``/``escape``."""

from __future__ import annotations

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from .schemas import SchemaNode


def schema_html(node: SchemaNode | None) -> SafeString:
    """One schema node and its children as nested lists."""
    if node is None:
        return mark_safe("")
    parts = [_type_line(node)]
    if node.enum:
        values = format_html_join(" ", "<code>{}</code>", ((value,) for value in node.enum))
        parts.append(format_html(' <span class="schema-enum">one of {}</span>', values))
    if node.description:
        parts.append(format_html(' <span class="schema-description">{}</span>', node.description))
    if node.note:
        parts.append(format_html(' <em class="schema-note">{}</em>', node.note))
    children = []
    for prop in node.properties:
        required = mark_safe(' <span class="schema-required">required</span>') if prop.required else ""
        children.append(
            format_html(
                '<li><code class="schema-name">{}</code>{}: {}</li>', prop.name, required, schema_html(prop.schema)
            )
        )
    if node.items is not None:
        children.append(format_html('<li><span class="schema-keyword">items</span>: {}</li>', schema_html(node.items)))
    if node.additional is not None:
        children.append(
            format_html('<li><span class="schema-keyword">other keys</span>: {}</li>', schema_html(node.additional))
        )
    for keyword, options in node.alternatives:
        rendered = mark_safe("".join(format_html("<li>{}</li>", schema_html(option)) for option in options))
        children.append(
            format_html('<li><span class="schema-keyword">{}</span><ul class="schema">{}</ul></li>', keyword, rendered)
        )
    if children:
        parts.append(format_html('<ul class="schema">{}</ul>', mark_safe("".join(children))))
    return mark_safe("".join(str(part) for part in parts))


def _type_line(node: SchemaNode) -> SafeString:
    pieces = []
    if node.ref:
        if node.anchor:
            pieces.append(format_html('<a class="schema-ref" href="#{}">{}</a>', node.anchor, node.ref))
        else:
            pieces.append(format_html('<span class="schema-ref">{}</span>', node.ref))
    if node.type:
        label = node.type + (f" ({node.format})" if node.format else "")
        pieces.append(format_html('<span class="schema-type">{}</span>', label))
    return mark_safe(" ".join(pieces) or escape("any"))
