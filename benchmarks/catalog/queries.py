"""The queries the latency benchmark times (issue 20's list), each with its target, built from real data.

A scenario is a list of requests (different values per request where users vary them: names, teams,
tags, words, pages) and a p95 target. Cursor pages cannot be known beforehand: such a scenario names
the query and page, and ``resolve_cursors`` walks the cursors once through the server. A scenario
whose data does not exist at this size (page 1,000 of a 2,000-entity catalog) is skipped with the
reason, never measured as an empty answer.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from urllib.parse import quote

from .http_load import Request
from .sample import CatalogSample

API = "/api/catalog"
# The explorer's page size (catalog.views.PAGE_SIZE); pages past the last answer the last page.
UI_PAGE_SIZE = 50
# Targets (p95, milliseconds) as the issue sets them.
TARGET_BY_NAME = 2.0
TARGET_LIST = 10.0
TARGET_OWNER_FILTER = 5.0
TARGET_FACETS = 5.0
TARGET_FULL_TEXT = 25.0
TARGET_OWNER_LOOKUP = 20.0
TARGET_UI = 50.0
TARGET_OWNERSHIP_GAPS = 100.0
# A generated catalog's owners are its own groups, so gaps are rare; the gap set is cached per catalog
# version, so the figure is a page read from it (the first request after a change computes it).
FEW_GAPS = "few gaps in a generated catalog; after the first request each page is read from the cached gap set"
# Without fullTextFilterFields the term is matched against the sort field or metadata.uid (Backstage's
# rule), so a search box sends the fields it searches, as Backstage's catalog table does.
TEXT_FIELDS = "&fullTextFilterFields=metadata.name,metadata.title"
UNTITLED = (
    "no component has metadata.title, and entities without the sort field are left out: the answer is rightly empty"
)
BARE_OWNER = (
    "spec.owner is matched as written in the entity, a bare group name in the generated data "
    "(spec.owner=group:default/<team> matches none of it)"
)


@dataclass(frozen=True)
class CursorWalk:
    """Page ``page`` of ``query``, reached by following ``nextCursor`` from its first page."""

    query: str
    page: int


@dataclass(frozen=True)
class Scenario:
    name: str
    target_ms: float
    requests: list[Request] = field(default_factory=list)
    cursor: CursorWalk | None = None
    skipped: str = ""
    # What a reader of the figure should know (an answer that is rightly empty, a value's form).
    note: str = ""

    @property
    def example(self) -> str:
        """One request's path; a cursor page as its query and page (the cursor itself is opaque)."""
        if self.cursor:
            return f"{self.cursor.query}, then nextCursor {self.cursor.page - 1} times"
        return self.requests[0].path if self.requests else ""


def _q(value: str) -> str:
    return quote(value, safe="")


class _Builder:
    def __init__(self, sample: CatalogSample, rng: random.Random, count: int, limit: int) -> None:
        self.sample, self.rng, self.count, self.limit = sample, rng, count, limit
        self.scenarios: list[Scenario] = []

    def add(self, name: str, target: float, make, check: str = "items", *, needs: str = "", note: str = "") -> None:
        """``make(i)`` gives request i's (path, needle); ``needs`` says why there is no data, if so."""
        if needs:
            self.scenarios.append(Scenario(name, target, skipped=needs, note=note))
            return
        requests = []
        for i in range(self.count):
            path, needle = make(i)
            requests.append(Request(path, check, needle))
        self.scenarios.append(Scenario(name, target, requests, note=note))

    def pick(self, values: list[str]) -> str:
        return values[self.rng.randrange(len(values))]

    def cursor(self, name: str, query: str, page: int) -> None:
        if self.sample.components <= (page - 1) * self.limit:
            pages = math.ceil(self.sample.components / self.limit)
            self.scenarios.append(Scenario(name, TARGET_LIST, skipped=f"only {pages} pages of {self.limit}"))
        else:
            self.scenarios.append(Scenario(name, TARGET_LIST, cursor=CursorWalk(query, page)))


def build_scenarios(sample: CatalogSample, rng: random.Random, *, count: int, limit: int = 50) -> list[Scenario]:
    """Every query of the list, ``count`` requests each (cursor pages resolved later)."""
    if not sample.has_data:
        raise ValueError("the catalog has no components to query: load one first")
    b = _Builder(sample, rng, count, limit)
    s = sample
    names = s.component_names

    def name(i: int) -> str:
        return names[i % len(names)]

    def by_query(filters: str, extra: str = "") -> str:
        return f"{API}/entities/by-query?filter={filters}&limit={limit}{extra}"

    components = by_query("kind=component")
    b.add(
        "by-name",
        TARGET_BY_NAME,
        lambda i: (f"{API}/entities/by-name/component/default/{_q(name(i))}", name(i)),
        "entity",
    )
    b.add("by-query kind=component, page 1", TARGET_LIST, lambda i: (components, ""))
    for page in (2, 11, 1000):
        b.cursor(f"by-query kind=component, cursor page {page}", components, page)
    services = by_query("kind=component,spec.type=service")
    b.add(
        "by-query kind=component,spec.type=service",
        TARGET_LIST,
        lambda i: (services, ""),
        needs="" if "service" in s.spec_types else "no service components",
    )
    production = by_query("spec.lifecycle=production")
    b.add(
        "by-query spec.lifecycle=production",
        TARGET_LIST,
        lambda i: (production, ""),
        needs="" if s.production_owners else "no production components",
    )
    b.add(
        "by-query metadata.tags=<tag>",
        TARGET_LIST,
        lambda i: (by_query(f"metadata.tags={_q(b.pick(s.tags))}"), ""),
        needs="" if s.tags else "no tags",
    )
    techdocs = by_query("metadata.annotations.backstage.io/techdocs-ref")
    b.add("by-query annotation key backstage.io/techdocs-ref", TARGET_LIST, lambda i: (techdocs, ""))
    b.add(
        "by-query relations.ownedBy=<team>",
        TARGET_LIST,
        lambda i: (by_query(f"relations.ownedBy={_q(_ref(b.pick(s.owners)))}"), ""),
    )
    fields = f"{components}&fields=metadata.name,metadata.title,spec.type"
    b.add("by-query fields=name,title,type", TARGET_LIST, lambda i: (fields, ""))
    for order in ("metadata.name,asc", "metadata.title,asc", "spec.type,desc"):
        path = f"{components}&orderField={order}"
        if order.startswith("metadata.title") and not s.has_titles:
            b.add(f"by-query orderField={order}", TARGET_LIST, lambda i, path=path: (path, ""), "page", note=UNTITLED)
        else:
            b.add(f"by-query orderField={order}", TARGET_LIST, lambda i, path=path: (path, ""))
    for page in (2, 11):
        b.cursor(
            f"by-query orderField=metadata.name,asc, cursor page {page}",
            f"{components}&orderField=metadata.name,asc",
            page,
        )
    for offset in (500, 5000):
        path = f"{API}/entities?filter=kind=component&limit={limit}&offset={offset}"
        b.add(
            f"entities kind=component offset={offset}",
            TARGET_LIST,
            lambda i, path=path: (path, ""),
            "array",
            needs="" if s.components > offset else f"only {s.components} components",
        )
    b.add(
        "entities spec.owner=<team>",
        TARGET_OWNER_FILTER,
        lambda i: (f"{API}/entities?filter=spec.owner={_q(b.pick(s.owners))}", ""),
        "array",
        note=BARE_OWNER,
    )
    b.add(
        "entities relations.ownedBy=<team ref>",
        TARGET_OWNER_FILTER,
        lambda i: (f"{API}/entities?filter=relations.ownedBy={_q(_ref(b.pick(s.owners)))}", ""),
        "array",
    )
    b.add("facets spec.type", TARGET_FACETS, lambda i: (f"{API}/entity-facets?facet=spec.type", ""), "facets")
    kinds = f"{API}/entity-facets?facet=kind&filter=kind=component"
    b.add("facets kind, filter kind=component", TARGET_FACETS, lambda i: (kinds, ""), "facets")
    b.add(
        "by-query full text <word>, kind=component",
        TARGET_FULL_TEXT,
        lambda i: (f"{components}&fullTextFilterTerm={_q(b.pick(s.name_words))}{TEXT_FIELDS}", ""),
        needs="" if s.name_words else "no words in names",
    )
    b.add(
        "owner lookup",
        TARGET_OWNER_LOOKUP,
        lambda i: (f"{API}/owners/component/default/{_q(name(i))}", name(i)),
        "owner",
    )
    gaps = f"{API}/ownership-gaps?limit={limit}"
    b.add("ownership gaps, every gap type", TARGET_OWNERSHIP_GAPS, lambda i: (gaps, ""), "gaps", note=FEW_GAPS)
    unresolved = f"{API}/ownership-gaps?gapType=unresolved-owner&kind=component&limit={limit}"
    b.add(
        "ownership gaps unresolved-owner, kind=component",
        TARGET_OWNERSHIP_GAPS,
        lambda i: (unresolved, ""),
        "gaps",
        note=FEW_GAPS,
    )
    _ui(b)
    return b.scenarios


def _ui(b: _Builder) -> None:
    s = b.sample
    owners = sorted(s.production_owners.items())

    def owner_page(i: int) -> tuple[str, str]:
        owner, owned = owners[b.rng.randrange(len(owners))]
        page = b.rng.randint(1, math.ceil(owned / UI_PAGE_SIZE))
        return f"/catalog/?kind=Component&owner={_q(owner)}&lifecycle=production&page={page}", "/catalog/component/"

    def list_page(i: int) -> tuple[str, str]:
        page = b.rng.randint(1, math.ceil(s.components / UI_PAGE_SIZE))
        return f"/catalog/?kind=Component&page={page}", "/catalog/component/"

    def entity_page(i: int) -> tuple[str, str]:
        name = s.component_names[i % len(s.component_names)]
        return f"/catalog/component/default/{_q(name)}/", name

    b.add(
        "UI: catalog, owner + production",
        TARGET_UI,
        owner_page,
        "html",
        needs="" if owners else "no production components",
    )
    b.add("UI: catalog, kind=Component", TARGET_UI, list_page, "html")
    b.add("UI: entity page", TARGET_UI, entity_page, "html")


def _ref(owner: str) -> str:
    """spec.owner as a full ref: a bare name is a Group in the default namespace (Backstage's reading)."""
    if ":" in owner:
        return owner
    return f"group:default/{owner}"


def with_cursor(scenario: Scenario, path: str, count: int) -> Scenario:
    """The scenario with its cursor page found: that one path, ``count`` times."""
    return replace(scenario, requests=[Request(path, "items")] * count)
