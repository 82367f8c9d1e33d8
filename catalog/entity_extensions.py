"""Greenroom's own entity page tabs and cards, registered as any outside app would register its own."""

from __future__ import annotations

from portal.registry import EntityCard, EntityTab, register_entity_card, register_entity_tab

from . import entity_cards as cards
from . import entity_people as people

PEOPLE_KINDS = ("Group", "User")


def register_entity_page() -> None:
    """Register the overview and history tabs and the overview's cards (called from ``ready()``)."""
    register_entity_tab(EntityTab("overview", "Overview", "catalog/tabs/overview.html", order=0))
    register_entity_tab(
        EntityTab("history", "History", "catalog/tabs/history.html", order=900, context=cards.history_context)
    )
    for card in OVERVIEW_CARDS:
        register_entity_card(card)


def _card(key: str, title: str, order: int, template: str = "", **options) -> EntityCard:
    return EntityCard(key, title, f"catalog/cards/{template or key}.html", order=order, **options)


def _related_card(key: str, title: str, order: int, relation_type: str, kind: str = "") -> EntityCard:
    """A table of the entity's targets of one relation (of one kind), shown only when it has some."""
    return _card(
        key,
        title,
        order,
        template="related",
        applies_to=cards.has_relation(relation_type, kind),
        context=cards.related_context(relation_type, kind),
    )


OVERVIEW_CARDS = (
    _card("about", "About", 10, context=cards.about_context),
    _card("contacts", "Contact", 15, applies_to=cards.of_kinds(*PEOPLE_KINDS), context=people.contacts_context),
    _card("owner", "Owner and on-call", 20, applies_to=cards.not_of_kinds(*PEOPLE_KINDS), context=cards.owner_context),
    _card(
        "members",
        "Members",
        20,
        applies_to=cards.of_kinds("Group", relation_type="hasMember"),
        context=people.members_context,
    ),
    _card(
        "groups",
        "Groups",
        20,
        applies_to=cards.of_kinds("User", relation_type="memberOf"),
        context=cards.related_context("memberOf"),
    ),
    _card(
        "hierarchy", "Parent and child groups", 25, applies_to=cards.of_kinds("Group"), context=people.hierarchy_context
    ),
    _card("links", "Links", 30, applies_to=cards.has_links, context=cards.links_context),
    _related_card("subcomponents", "Subcomponents", 40, "hasPart", kind="component"),
    _related_card("provided-apis", "Provided APIs", 50, "providesApi"),
    _related_card("consumed-apis", "Consumed APIs", 55, "consumesApi"),
    _card(
        "system-parts",
        "Parts of this system",
        60,
        "parts",
        applies_to=cards.of_kinds("System"),
        context=cards.parts_context,
    ),
    _card(
        "domain-parts", "In this domain", 60, "parts", applies_to=cards.of_kinds("Domain"), context=cards.parts_context
    ),
    _card("owned", "Owned entities", 70, applies_to=cards.of_kinds(*PEOPLE_KINDS), context=people.owned_context),
    _card(
        "dependents",
        "If this fails, what else fails",
        80,
        applies_to=cards.not_of_kinds(*PEOPLE_KINDS, "Domain"),
        context=cards.owner_context,
    ),
    # Every relation by its Backstage name, for what the cards above leave out (dependsOn, ...).
    _card("relations", "All relations", 90, applies_to=cards.has_any_relation),
)
