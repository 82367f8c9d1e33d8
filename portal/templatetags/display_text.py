"""``{{ value|isolated }}``: data shown with bidi isolation and hidden characters made visible."""

from __future__ import annotations

import datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime as humanize_naturaltime
from django.utils.safestring import SafeString

from ..display_text import attribute_html, isolated_html, visible_text

register = template.Library()


@register.filter
def isolated(value: object) -> SafeString:
    """A name, title or ref from data, safe to show next to other text (see ``portal.display_text``)."""
    return isolated_html(value)


@register.filter
def visible(value: object) -> str:
    """Plain text with hidden characters written as ``[U+XXXX]``, where markup cannot go (``<title>``)."""
    return visible_text(value)


@register.filter
def naturaltime(value: datetime.datetime | None) -> str:
    """Django's ``naturaltime`` ("1 minute ago"), without installing the humanize app; empty for None."""
    return humanize_naturaltime(value) if value else ""


@register.filter
def attribute(value: object) -> SafeString:
    """A value from data for an attribute that must round-trip, hidden characters as references."""
    return attribute_html(value)
