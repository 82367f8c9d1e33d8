"""Template helpers of Soundcheck's pages."""

from __future__ import annotations

import datetime

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime as humanize_naturaltime

from catalog.entity_urls import LANDING_TAB, entity_ref_url
from catalog.formats.refs import InvalidEntityRef, parse_entity_ref
from portal.links import reverse_or_empty

register = template.Library()


@register.filter
def naturaltime(value: datetime.datetime | None) -> str:
    """Django's ``naturaltime`` ("1 minute ago"), without installing the humanize app."""
    return humanize_naturaltime(value) if value else ""


@register.filter
def ref_url(ref: str, tab: str = LANDING_TAB) -> str:
    """The catalog page (at ``tab``) of an entity named by its ref ``kind:namespace/name``; empty when there is none."""
    return entity_ref_url(ref, tab)


@register.filter
def team_url(ref: str) -> str:
    """The Soundcheck team page of a group ref; empty for anything but a group, or a group no URL can hold."""
    try:
        parsed = parse_entity_ref(ref)
    except InvalidEntityRef:
        return ""
    if parsed.kind.lower() != "group":
        return ""
    return reverse_or_empty("soundcheck:team", parsed.namespace, parsed.name)
