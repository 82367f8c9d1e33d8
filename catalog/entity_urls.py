"""Links to entity pages from kind, namespace and name, or from a ref: empty when no page can exist.

Every view, template tag and card that links an entity builds the URL here (over
``portal.links.reverse_or_empty``), so a ref Backstage accepts but no URL can address is shown
as text instead of breaking the page.
"""

from __future__ import annotations

from portal.links import reverse_or_empty

from .formats.refs import InvalidEntityRef, parse_entity_ref

LANDING_TAB = "overview"


def entity_url(kind: str, namespace: str, name: str, tab: str = LANDING_TAB) -> str:
    """The entity page (at ``tab``), or ``""`` when the parts cannot form its address."""
    if tab == LANDING_TAB:
        return reverse_or_empty("catalog:entity_detail", kind.lower(), namespace, name)
    return reverse_or_empty("catalog:entity_tab", kind.lower(), namespace, name, tab)


def entity_ref_url(ref: object, tab: str = LANDING_TAB) -> str:
    """The entity page of ``ref`` (``kind:namespace/name``), or ``""`` for a malformed or unaddressable ref."""
    try:
        parsed = parse_entity_ref(ref)  # type: ignore[arg-type]
    except InvalidEntityRef:
        return ""
    return entity_url(parsed.kind, parsed.namespace, parsed.name, tab)
