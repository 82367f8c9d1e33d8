"""Extension points every Greenroom app fills from its ``AppConfig.ready()``, as an outside plugin would.

The registry imports no app: apps import the registry. It holds the sidebar's items, the entity
page's tabs and cards, the home page's widgets, the scaffolder's step actions, Soundcheck's fact
collectors, the collectors ``/metrics`` reads at scrape time, ``/readyz``'s details, the resolvers that
say who an account is (``portal.identity``) and the collators that feed search. Greenroom's own apps
and plugins (docs/plugins.md) make the same calls, and the registry remembers which app made each
(``registrations()``) for ``/plugins/``. Each page entry names a template and, optionally, a function
that supplies its context; ``applies_to`` limits tabs and cards to the entities they fit.

A fact collector turns a batch of catalog entities into ``FactRecord``s; Soundcheck runs every
registered one, and an app whose data behind a collector changed sends ``facts_outdated`` so
Soundcheck re-collects that collector's facts for those entities. TechDocs and the Tech Radar
register theirs here, so Soundcheck never imports them (nor they Soundcheck).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.apps import AppConfig, apps
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


@dataclass(frozen=True)
class ScaffolderAction:
    """A step action of software templates (``steps[].action``), with Backstage's id, schemas and examples.

    ``handler`` receives the scaffolder's ``ActionContext`` (``ctx.input``, ``ctx.output()``,
    ``ctx.log()``, ``ctx.workspace``); ``input_schema`` (JSON Schema, draft 2020-12) is checked
    before it runs. ``supports_dry_run`` actions really run in a dry run; others are skipped there.
    """

    id: str
    handler: Callable[[Any], None]
    input_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    output_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    description: str = ""
    examples: list[dict[str, str]] = field(default_factory=list)
    supports_dry_run: bool = False


@dataclass(frozen=True)
class Registration:
    """One registry entry and the label of the app that made it ("" when no app could be told)."""

    kind: str
    key: str
    app: str


_NAV_ITEMS: dict[str, NavItem] = {}
_ENTITY_TABS: dict[str, EntityTab] = {}
_ENTITY_CARDS: dict[str, EntityCard] = {}
_HOME_WIDGETS: dict[str, HomeWidget] = {}
_FACT_COLLECTORS: dict[str, FactCollector] = {}
# key -> a function returning a prometheus_client Collector, built afresh for every scrape registry.
_METRICS_COLLECTORS: dict[str, Callable[[], Any]] = {}
# key -> a function returning a JSON-ready summary for /readyz's "details" (never a secret or host).
_READINESS_DETAILS: dict[str, Callable[[], Any]] = {}
_IDENTITY_RESOLVERS: dict[str, IdentityResolver] = {}
_SEARCH_COLLATORS: dict[str, SearchCollator] = {}
_SCAFFOLDER_ACTIONS: dict[str, ScaffolderAction] = {}
# (kind, key) -> the label of the app that registered it, for registrations().
_OWNERS: dict[tuple[str, str], str] = {}


def _registering_app() -> str:
    """The label of the app whose ``ready()`` is running, else of the module that called the registry.

    ``ready()`` first: an app's helpers (``register_builtin_collectors()``, a lazily imported module
    that registers on import) count as the app itself.
    """
    frame = sys._getframe(1)
    caller = ""
    while frame is not None:
        candidate = frame.f_locals.get("self") if frame.f_code.co_name == "ready" else None
        if isinstance(candidate, AppConfig):
            return candidate.label
        module = frame.f_globals.get("__name__", "")
        if not caller and module != __name__:
            caller = module
        frame = frame.f_back
    config = apps.get_containing_app_config(caller) if caller and apps.apps_ready else None
    return config.label if config else ""


def _remember(kind: str, key: str) -> None:
    _OWNERS[(kind, key)] = _registering_app()


def _forget(kind: str, key: str) -> None:
    _OWNERS.pop((kind, key), None)


def registrations(app: str | None = None) -> list[Registration]:
    """What is registered, by kind and key, with the app that registered it; only ``app``'s if given."""
    entries = [Registration(kind, key, owner) for (kind, key), owner in _OWNERS.items()]
    return sorted(
        (entry for entry in entries if app is None or entry.app == app), key=lambda entry: (entry.kind, entry.key)
    )


def register_nav_item(item: NavItem) -> None:
    """Add (or replace, by label) a sidebar entry."""
    _NAV_ITEMS[item.label] = item
    _remember("nav item", item.label)


def nav_items() -> list[NavItem]:
    return sorted(_NAV_ITEMS.values(), key=lambda item: (item.order, item.label))


def register_entity_tab(tab: EntityTab) -> None:
    """Add (or replace, by key) an entity page tab."""
    _ENTITY_TABS[tab.key] = tab
    _remember("entity tab", tab.key)


def entity_tabs(entity: Any) -> list[EntityTab]:
    """The tabs shown for ``entity``, in order."""
    tabs = [tab for tab in _ENTITY_TABS.values() if tab.applies(entity)]
    return sorted(tabs, key=lambda tab: (tab.order, tab.key))


def register_entity_card(card: EntityCard) -> None:
    """Add (or replace, by key) an entity page card."""
    _ENTITY_CARDS[card.key] = card
    _remember("entity card", card.key)


def entity_cards(entity: Any, tab: str = "overview") -> list[EntityCard]:
    """The cards shown on ``tab`` for ``entity``, in order."""
    cards = [card for card in _ENTITY_CARDS.values() if card.tab == tab and card.applies(entity)]
    return sorted(cards, key=lambda card: (card.order, card.key))


def register_home_widget(widget: HomeWidget) -> None:
    """Add (or replace, by key) a home page widget."""
    _HOME_WIDGETS[widget.key] = widget
    _remember("home widget", widget.key)


def home_widgets() -> list[HomeWidget]:
    return sorted(_HOME_WIDGETS.values(), key=lambda widget: (widget.order, widget.key))


def register_fact_collector(name: str, collector: FactCollector) -> None:
    """Add (or replace, by name) a fact collector; its facts are recorded under ``name``."""
    _FACT_COLLECTORS[name] = collector
    _remember("fact collector", name)


def fact_collectors() -> dict[str, FactCollector]:
    """Every registered fact collector by name, in name order."""
    return dict(sorted(_FACT_COLLECTORS.items()))


def announce_facts_outdated(collector: str, entity_refs: Sequence[str]) -> None:
    """Say that ``collector``'s facts about ``entity_refs`` changed, for whoever keeps them."""
    facts_outdated.send(sender=collector, collector=collector, entity_refs=list(entity_refs))


def register_metrics_collector(key: str, factory: Callable[[], Any]) -> None:
    """Add (or replace, by key) a collector of database-derived gauges for ``/metrics``."""
    _METRICS_COLLECTORS[key] = factory
    _remember("metrics collector", key)


def metrics_collectors() -> list[Callable[[], Any]]:
    """The registered collector factories, by key."""
    return [_METRICS_COLLECTORS[key] for key in sorted(_METRICS_COLLECTORS)]


def register_readiness_detail(key: str, summary: Callable[[], Any]) -> None:
    """Add (or replace, by key) a summary shown in ``/readyz``'s ``details``; it never fails readiness."""
    _READINESS_DETAILS[key] = summary
    _remember("readiness detail", key)


def readiness_details() -> dict[str, Callable[[], Any]]:
    """The registered readiness summaries, by key."""
    return {key: _READINESS_DETAILS[key] for key in sorted(_READINESS_DETAILS)}


def register_identity_resolver(resolver: IdentityResolver) -> None:
    """Add (or replace, by key) a way to resolve accounts; resolvers are asked by key, first match wins."""
    _IDENTITY_RESOLVERS[resolver.key] = resolver
    _remember("identity resolver", resolver.key)


def identity_resolvers() -> list[IdentityResolver]:
    return [_IDENTITY_RESOLVERS[key] for key in sorted(_IDENTITY_RESOLVERS)]


def register_search_collator(collator: SearchCollator) -> None:
    """Add (or replace, by key) a source of search index rows; collators are asked by key."""
    _SEARCH_COLLATORS[collator.key] = collator
    _remember("search collator", collator.key)


def search_collators() -> list[SearchCollator]:
    return [_SEARCH_COLLATORS[key] for key in sorted(_SEARCH_COLLATORS)]


def register_scaffolder_action(action: ScaffolderAction, *, replace: bool = False) -> ScaffolderAction:
    """Add a step action; an id registered twice is an error unless ``replace`` (for tests and overrides).

    Raises ``jsonschema.SchemaError`` when ``input_schema`` is not a valid JSON Schema.
    """
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(action.input_schema)
    existing = _SCAFFOLDER_ACTIONS.get(action.id)
    if existing is not None and existing is not action and not replace:
        raise ValueError(f"an action with id {action.id!r} is already registered")
    _SCAFFOLDER_ACTIONS[action.id] = action
    _remember("scaffolder action", action.id)
    return action


def scaffolder_actions() -> list[ScaffolderAction]:
    """Every registered step action, by id."""
    return [_SCAFFOLDER_ACTIONS[key] for key in sorted(_SCAFFOLDER_ACTIONS)]


def scaffolder_action(action_id: str) -> ScaffolderAction | None:
    """The step action registered under ``action_id``, or None."""
    return _SCAFFOLDER_ACTIONS.get(action_id)


def unregister_scaffolder_action(action_id: str) -> None:
    """Remove a step action (a no-op when none has that id)."""
    _SCAFFOLDER_ACTIONS.pop(action_id, None)
    _forget("scaffolder action", action_id)


def unregister_entity_tab(key: str) -> None:
    """Remove an entity page tab (a no-op when none has that key)."""
    _ENTITY_TABS.pop(key, None)
    _forget("entity tab", key)


def unregister_entity_card(key: str) -> None:
    """Remove an entity page card (a no-op when none has that key)."""
    _ENTITY_CARDS.pop(key, None)
    _forget("entity card", key)


_REGISTRIES: tuple[dict[Any, Any], ...] = (
    _NAV_ITEMS,
    _ENTITY_TABS,
    _ENTITY_CARDS,
    _HOME_WIDGETS,
    _METRICS_COLLECTORS,
    _READINESS_DETAILS,
    _IDENTITY_RESOLVERS,
    _SEARCH_COLLATORS,
    _FACT_COLLECTORS,
    _SCAFFOLDER_ACTIONS,
    _OWNERS,
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
