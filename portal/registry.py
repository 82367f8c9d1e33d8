"""Extension points every Greenroom app fills from its ``AppConfig.ready()``, as an outside plugin would.

The registry imports no app: apps import the registry. It holds the sidebar's items, the entity
page's tabs and cards, the home page's widgets, Soundcheck's fact collectors, the collectors
``/metrics`` reads at scrape time, the resolvers that say who an account is (``portal.identity``)
and the collators that feed search (``portal.search.indexing``). Each page entry names a template
and, optionally, a function that supplies that template's context; ``applies_to`` limits tabs and
cards to the entities they make sense for (say, API entities only).

A fact collector turns a batch of catalog entities into ``FactRecord``s; Soundcheck runs every
registered one, and an app whose data behind a collector changed sends ``facts_outdated`` so
Soundcheck re-collects that collector's facts for those entities. TechDocs and the Tech Radar
register theirs here, so Soundcheck never imports them (nor they Soundcheck).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.dispatch import Signal
from django.urls import reverse

if TYPE_CHECKING:
    from django.http import HttpRequest

# (request, entity) -> extra template context. Typed loosely: the registry imports no app's models.
EntityContext = Callable[["HttpRequest", Any], dict[str, Any]]
EntityPredicate = Callable[[Any], bool]


@dataclass(frozen=True)
class NavItem:
    """A sidebar entry: a label, the named URL it opens (with an optional query) and its place."""

    label: str
    url_name: str
    order: int = 100
    query: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name) + (f"?{self.query}" if self.query else "")


@dataclass(frozen=True)
class EntityTab:
    """A tab of the entity page, at ``/catalog/<kind>/<namespace>/<name>/<key>/``.

    The tab with key ``overview`` is the page's landing tab and holds the cards.
    """

    key: str
    label: str
    template: str
    order: int = 100
    applies_to: EntityPredicate | None = None
    context: EntityContext | None = None

    def applies(self, entity: Any) -> bool:
        return self.applies_to is None or bool(self.applies_to(entity))


@dataclass(frozen=True)
class EntityCard:
    """A card on an entity page's tab (the overview unless ``tab`` says otherwise)."""

    key: str
    title: str
    template: str
    order: int = 100
    tab: str = "overview"
    applies_to: EntityPredicate | None = None
    context: EntityContext | None = None

    def applies(self, entity: Any) -> bool:
        return self.applies_to is None or bool(self.applies_to(entity))


@dataclass(frozen=True)
class HomeWidget:
    """A card on the home page; ``context`` receives the request only."""

    key: str
    title: str
    template: str
    order: int = 100
    context: Callable[[HttpRequest], dict[str, Any]] | None = None


@dataclass(frozen=True)
class FactRecord:
    """One fact to store."""

    entity_ref: str
    name: str
    value: Any


class FactCollector(Protocol):
    """Turns a batch of catalog entities (``Entity`` rows, typed loosely) into facts about them."""

    def __call__(self, entities: Sequence[Any], /) -> list[FactRecord]: ...


# Sent with ``collector`` (a registered name) and ``entity_refs`` when the data behind that
# collector changed for those entities; Soundcheck re-collects them after the sender's commit.
facts_outdated = Signal()


@dataclass(frozen=True)
class IdentityResolver:
    """Resolves a Django account to the refs that count as its own: its entity's first, then its groups'.

    ``version`` names the generation of the data it reads (answers are cached per version);
    ``entity`` returns the object a resolved ref names, for the profile page.
    """

    key: str
    resolve: Callable[[Any], list[str]]
    version: Callable[[], Any]
    entity: Callable[[str], Any] | None = None


@dataclass(frozen=True)
class SearchCollator:
    """Hands one app's objects to the search index (``portal.search.indexing``) by ref and etag.

    ``read`` returns ``{ref: (etag, body, row)}`` for the refs asked that exist (``row`` is the
    collator's own, passed back to ``document``, which returns the unsaved index row or None);
    ``etags`` yields every indexed ref with its etag for the index-wide sync; ``body`` reads one
    ref's body, and ``facets`` and ``title`` describe it for the docs pages filed under it;
    ``owner_ref`` normalises an owner filter value, raising ``ValueError`` when it is not one.
    """

    key: str
    read: Callable[[list[str]], dict[str, tuple[str, Any, Any]]]
    document: Callable[[str, Any], Any]
    etags: Callable[[], Iterable[tuple[str, str]]]
    body: Callable[[str], Any]
    facets: Callable[[Any], dict[str, str]]
    title: Callable[[Any], str]
    owner_ref: Callable[[str], str]


_NAV_ITEMS: dict[str, NavItem] = {}
_ENTITY_TABS: dict[str, EntityTab] = {}
_ENTITY_CARDS: dict[str, EntityCard] = {}
_HOME_WIDGETS: dict[str, HomeWidget] = {}
_FACT_COLLECTORS: dict[str, FactCollector] = {}
# key -> a function returning a prometheus_client Collector, built afresh for every scrape registry.
_METRICS_COLLECTORS: dict[str, Callable[[], Any]] = {}
_IDENTITY_RESOLVERS: dict[str, IdentityResolver] = {}
_SEARCH_COLLATORS: dict[str, SearchCollator] = {}


def register_nav_item(item: NavItem) -> None:
    """Add (or replace, by label) a sidebar entry."""
    _NAV_ITEMS[item.label] = item


def nav_items() -> list[NavItem]:
    return sorted(_NAV_ITEMS.values(), key=lambda item: (item.order, item.label))


def register_entity_tab(tab: EntityTab) -> None:
    """Add (or replace, by key) an entity page tab."""
    _ENTITY_TABS[tab.key] = tab


def entity_tabs(entity: Any) -> list[EntityTab]:
    """The tabs shown for ``entity``, in order."""
    tabs = [tab for tab in _ENTITY_TABS.values() if tab.applies(entity)]
    return sorted(tabs, key=lambda tab: (tab.order, tab.key))


def register_entity_card(card: EntityCard) -> None:
    """Add (or replace, by key) an entity page card."""
    _ENTITY_CARDS[card.key] = card


def entity_cards(entity: Any, tab: str = "overview") -> list[EntityCard]:
    """The cards shown on ``tab`` for ``entity``, in order."""
    cards = [card for card in _ENTITY_CARDS.values() if card.tab == tab and card.applies(entity)]
    return sorted(cards, key=lambda card: (card.order, card.key))


def register_home_widget(widget: HomeWidget) -> None:
    """Add (or replace, by key) a home page widget."""
    _HOME_WIDGETS[widget.key] = widget


def home_widgets() -> list[HomeWidget]:
    return sorted(_HOME_WIDGETS.values(), key=lambda widget: (widget.order, widget.key))


def register_fact_collector(name: str, collector: FactCollector) -> None:
    """Add (or replace, by name) a fact collector; its facts are recorded under ``name``."""
    _FACT_COLLECTORS[name] = collector


def fact_collectors() -> dict[str, FactCollector]:
    """Every registered fact collector by name, in name order."""
    return dict(sorted(_FACT_COLLECTORS.items()))


def announce_facts_outdated(collector: str, entity_refs: Sequence[str]) -> None:
    """Say that ``collector``'s facts about ``entity_refs`` changed, for whoever keeps them."""
    facts_outdated.send(sender=collector, collector=collector, entity_refs=list(entity_refs))


def register_metrics_collector(key: str, factory: Callable[[], Any]) -> None:
    """Add (or replace, by key) a collector of database-derived gauges for ``/metrics``."""
    _METRICS_COLLECTORS[key] = factory


def metrics_collectors() -> list[Callable[[], Any]]:
    """The registered collector factories, by key."""
    return [_METRICS_COLLECTORS[key] for key in sorted(_METRICS_COLLECTORS)]


def register_identity_resolver(resolver: IdentityResolver) -> None:
    """Add (or replace, by key) a way to resolve accounts; resolvers are asked by key, first match wins."""
    _IDENTITY_RESOLVERS[resolver.key] = resolver


def identity_resolvers() -> list[IdentityResolver]:
    return [_IDENTITY_RESOLVERS[key] for key in sorted(_IDENTITY_RESOLVERS)]


def register_search_collator(collator: SearchCollator) -> None:
    """Add (or replace, by key) a source of search index rows; collators are asked by key."""
    _SEARCH_COLLATORS[collator.key] = collator


def search_collators() -> list[SearchCollator]:
    return [_SEARCH_COLLATORS[key] for key in sorted(_SEARCH_COLLATORS)]


def unregister_entity_tab(key: str) -> None:
    """Remove an entity page tab (a no-op when none has that key)."""
    _ENTITY_TABS.pop(key, None)


def unregister_entity_card(key: str) -> None:
    """Remove an entity page card (a no-op when none has that key)."""
    _ENTITY_CARDS.pop(key, None)


_REGISTRIES: tuple[dict[str, Any], ...] = (
    _NAV_ITEMS,
    _ENTITY_TABS,
    _ENTITY_CARDS,
    _HOME_WIDGETS,
    _METRICS_COLLECTORS,
    _IDENTITY_RESOLVERS,
    _SEARCH_COLLATORS,
    _FACT_COLLECTORS,
)


@contextmanager
def restored_registry() -> Iterator[None]:
    """Put every registration back as it was on leaving: for tests that register extensions."""
    saved = [(registry, dict(registry)) for registry in _REGISTRIES]
    try:
        yield
    finally:
        for registry, entries in saved:
            registry.clear()
            registry.update(entries)
