"""Template helpers of Soundcheck's pages."""

from __future__ import annotations

from django import template

from catalog.entity_urls import LANDING_TAB, entity_ref_url
from catalog.formats.refs import InvalidEntityRef, parse_entity_ref
from portal.links import reverse_or_empty
from portal.templatetags.display_text import naturaltime

register = template.Library()


register.filter("naturaltime", naturaltime)


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
