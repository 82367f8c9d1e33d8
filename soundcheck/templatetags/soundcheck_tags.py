"""Template helpers of Soundcheck's pages."""

from __future__ import annotations

import datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime as humanize_naturaltime
from django.urls import reverse

register = template.Library()


@register.filter
def naturaltime(value: datetime.datetime | None) -> str:
    """Django's ``naturaltime`` ("1 minute ago"), without installing the humanize app."""
    return humanize_naturaltime(value) if value else ""


@register.filter
def ref_url(ref: str) -> str:
    """The catalog page of an entity named by its ref ``kind:namespace/name``; empty for a malformed ref."""
    kind, _, rest = (ref or "").partition(":")
    namespace, _, name = rest.partition("/")
    if not (kind and namespace and name):
        return ""
    return reverse("catalog:entity_detail", args=[kind, namespace, name])


@register.filter
def team_url(ref: str) -> str:
    """The Soundcheck team page of a group ref; empty for anything but a group."""
    kind, _, rest = (ref or "").partition(":")
    namespace, _, name = rest.partition("/")
    if kind != "group" or not (namespace and name):
        return ""
    return reverse("soundcheck:team", args=[namespace, name])
