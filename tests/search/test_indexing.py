"""Keeping the index current: refreshes, edits and deletions, and documents handed in by TechDocs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Entity
from catalog.services import delete_location, refresh_location
from catalog.services.entities import delete_entity
from portal.models import SearchDocument
from portal.search.indexing import DocumentError, index_entities, replace_documents, sync_catalog
from tests.search.conftest import SEARCH_CATALOG, committed, load_catalog

pytestmark = pytest.mark.django_db


def titles(**filters) -> list[str]:
    return sorted(SearchDocument.objects.filter(**filters).values_list("title", flat=True))


def test_refresh_indexes_every_kind_but_locations_with_its_result_type(search_catalog):
    types = dict(SearchDocument.objects.values_list("source_ref", "type"))
    assert types == {
        "group:default/team-payments": "people",
        "user:default/ana": "people",
        "component:default/payment": "software-catalog",
        "component:default/ledger": "software-catalog",
        "component:default/web-shop": "software-catalog",
        "api:default/payment-api": "software-catalog",
        "template:default/python-service": "templates",
    }
    person = SearchDocument.objects.get(source_ref="user:default/ana")
    assert person.title == "Ana Lima" and "ana.lima@example.com" in person.keywords
    payment = SearchDocument.objects.get(source_ref="component:default/payment")
    assert (payment.owner, payment.lifecycle, payment.entity_type, payment.kind) == (
        "group:default/team-payments",
        "production",
        "service",
        "Component",
    )
    assert payment.location == "/catalog/component/default/payment/"


def test_changed_entity_is_reindexed_and_removed_one_disappears(search_catalog, write_file):
    changed = SEARCH_CATALOG.replace("title: Ledger", "title: General ledger").split("---\napiVersion: scaffolder")[0]
    load_catalog(write_file, changed)
    assert "General ledger" in titles(type="software-catalog")
    # The template left the file: it is orphaned (kept, as Backstage does), still indexed until deleted.
    assert titles(type="templates") == ["Python service"]
    with committed():
        delete_entity(Entity.objects.get(ref="template:default/python-service"))
    assert titles(type="templates") == []


def test_deleting_a_location_removes_its_entities_and_their_pages(search_catalog):
    replace_documents("techdocs", "component:default/payment", [{"title": "Intro", "location": "/docs/x/", "text": ""}])
    with committed():
        delete_location(search_catalog)
    assert SearchDocument.objects.count() == 0


def test_unchanged_refresh_writes_nothing_to_the_index(search_catalog):
    before = dict(SearchDocument.objects.values_list("source_ref", "updated_at"))
    with committed():
        refresh_location(search_catalog)
    assert dict(SearchDocument.objects.values_list("source_ref", "updated_at")) == before


def test_indexing_queries_do_not_grow_with_entities(write_file):
    from tests.catalog.api_fixtures import components

    counts = []
    for size in (20, 60):
        load_catalog(write_file, components(size, f"s{size}"), name=f"c{size}.yaml")
        refs = list(Entity.objects.filter(ref__startswith=f"component:default/s{size}").values_list("ref", flat=True))
        with CaptureQueriesContext(connection) as queries:
            index_entities(refs, force=True)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_large_change_goes_to_the_sync_task(search_catalog, settings, write_file):
    from portal.celery import app

    settings.SEARCH_INLINE_INDEX_LIMIT = 1
    app.conf.task_always_eager = True
    try:
        load_catalog(write_file, SEARCH_CATALOG.replace("Ledger", "Big ledger").replace("Web shop", "Big shop"))
    finally:
        app.conf.task_always_eager = False
    assert {"Big ledger", "Big shop"} <= set(titles(type="software-catalog"))


def test_sync_catalog_repairs_a_stale_index(search_catalog):
    SearchDocument.objects.filter(source_ref="component:default/ledger").delete()
    SearchDocument.objects.create(
        type="software-catalog", source_ref="component:default/gone", title="Gone", location="/"
    )
    report = sync_catalog()
    assert (report.indexed, report.removed) == (1, 1)
    assert "Ledger" in titles() and "Gone" not in titles()


def test_replace_documents_replaces_an_entitys_pages_with_its_facets(search_catalog):
    pages = [
        {
            "title": "Getting started",
            "location": "/docs/default/component/payment/#start",
            "text": "Run it.",
            "headings": ["Install"],
        },
        {
            "title": "Refunds",
            "location": "/docs/default/component/payment/refunds/",
            "text": "Money back.",
            "headings": [],
        },
    ]
    assert replace_documents("techdocs", "component:default/payment", pages) == 2
    assert replace_documents("techdocs", "component:default/payment", pages[1:]) == 1
    page = SearchDocument.objects.get(type="techdocs")
    assert (page.title, page.owner, page.kind, page.extra["entityTitle"]) == (
        "Refunds",
        "group:default/team-payments",
        "Component",
        "Payment gateway",
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"location": "/docs/"}, r"documents\[0\]\.title"),
        ({"title": "x", "location": "javascript:alert(1)"}, r"documents\[0\]\.location"),
        ({"title": "x", "location": "//evil.example/"}, r"documents\[0\]\.location"),
        ({"title": "x", "location": "/d/", "text": 3}, r"documents\[0\]\.text"),
        ({"title": "x", "location": "/d/", "headings": "h"}, r"documents\[0\]\.headings"),
        ("page", r"documents\[0\]: must be a mapping"),
    ],
)
def test_replace_documents_refuses_bad_documents_and_keeps_the_old_ones(search_catalog, document, message):
    replace_documents("techdocs", "component:default/payment", [{"title": "Kept", "location": "/d/"}])
    with pytest.raises(DocumentError, match=message):
        replace_documents("techdocs", "component:default/payment", [document])
    assert titles(type="techdocs") == ["Kept"]


def test_replace_documents_refuses_unknown_sources():
    with pytest.raises(DocumentError, match="source: must be one of techdocs"):
        replace_documents("wiki", "component:default/payment", [])


def test_a_failing_index_never_fails_the_catalog_write(search_catalog, write_file, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr("portal.search.indexing.index_entities", broken)
    load_catalog(write_file, SEARCH_CATALOG.replace("title: Ledger", "title: Renamed ledger"))
    assert Entity.objects.get(ref="component:default/ledger").title == "Renamed ledger"
    assert "entities_changed receiver" in caplog.text and "index unavailable" in caplog.text
