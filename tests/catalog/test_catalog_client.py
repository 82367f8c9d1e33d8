"""Backstage's own ``@backstage/catalog-client``, run with Node.js against a live Greenroom server.

``scripts/test`` installs the client with npm into ``tests/catalog_client/node_modules``. Each test
sends one plan of calls to ``tests/catalog_client/run.mjs`` and checks the answers against the
database.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from catalog.models import Entity, Location
from catalog.services import refresh_location, register_location, validate_location_spec
from portal.services.tokens import issue_token
from tests.catalog.api_fixtures import CLIENT_CATALOG as CATALOG
from tests.conftest import REPO_ROOT, component

CLIENT_DIR = REPO_ROOT / "tests" / "catalog_client"
NODE_TIMEOUT_SECONDS = 60
MIN_NODE_MAJOR = 20
# How a value the client returns as ``undefined`` is printed by run.mjs.
UNDEFINED = {"$undefined": True}


def call(name: str, method: str, *args: Any, follow: str | None = None) -> dict[str, Any]:
    """One step of a plan: ``client[method](...args)``; ``follow`` pages on with that cursor."""
    step: dict[str, Any] = {"name": name, "method": method, "args": list(args)}
    if follow:
        step["follow"] = follow
    return step


def ref(reference: str) -> dict[str, str]:
    """An argument taken from an earlier call's value: ``"<call name>.<dotted path>"``."""
    return {"$ref": reference}


@functools.cache
def node_executable() -> str:
    """The machine's Node.js, checked once: the tests fail, rather than skip, without it."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js 20+ is needed to run Backstage's catalog client: install it, then run scripts/test")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < MIN_NODE_MAJOR:
        pytest.fail(f"Node.js {MIN_NODE_MAJOR}+ is needed to run Backstage's catalog client, found {version}")
    if not (CLIENT_DIR / "node_modules" / "@backstage" / "catalog-client").is_dir():
        pytest.fail(f"Backstage's catalog client is not installed: run scripts/test, or npm ci --prefix {CLIENT_DIR}")
    return node


def run_node(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Run a plan with ``run.mjs``; one result per call, in order."""
    done = subprocess.run(
        [node_executable(), str(CLIENT_DIR / "run.mjs")],
        input=json.dumps(plan),
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [result["name"] for result in results] == [step["name"] for step in plan["calls"]], done.stderr
    return results


@pytest.fixture
def token(transactional_db, settings) -> str:
    """A platform admin's service account: the client removes locations and refreshes any entity."""
    user = get_user_model().objects.create_user("ci-bot")
    user.groups.add(Group.objects.create(name=settings.PLATFORM_ADMIN_GROUP))
    return issue_token(user, "catalog client tests")[1]


@pytest.fixture
def run_client(live_server, token) -> Callable[..., dict[str, dict[str, Any]]]:
    """Run calls with the catalog client as the token's user; results by call name."""

    def run(*calls: dict[str, Any], as_token: str | None = None) -> dict[str, dict[str, Any]]:
        plan = {
            "baseUrl": f"{live_server.url}/api/catalog",
            "token": token if as_token is None else as_token,
            "calls": list(calls),
        }
        return {result["name"]: result for result in run_node(plan)}

    return run


@pytest.fixture
def loaded_catalog(write_file) -> Location:
    location = register_location(validate_location_spec("file", str(write_file("catalog.yaml", CATALOG))), trusted=True)
    refresh_location(location)
    assert [entity.ref for entity in Entity.objects.all() if entity.processing_errors] == []
    return location


@pytest.fixture
def eager_celery() -> Iterator[None]:
    """Run refreshes queued by the live server's requests inside those requests."""
    from portal.celery import app

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was_eager


def value(results: dict[str, dict[str, Any]], name: str) -> Any:
    result = results[name]
    assert result["ok"], result
    return result["value"]


def error(results: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    result = results[name]
    assert not result["ok"], result
    return result["error"]


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["metadata"]["name"] for item in items]


def refs_of(items: list[dict[str, Any]]) -> list[str]:
    return [
        f"{item['kind']}:{item['metadata'].get('namespace', 'default')}/{item['metadata']['name']}".lower()
        for item in items
    ]


def test_get_entities_with_filters_fields_order_and_paging(run_client, loaded_catalog):
    results = run_client(
        call(
            "filtered",
            "getEntities",
            {
                "filter": [{"kind": "Component", "spec.type": "service"}, {"kind": "API"}],
                "fields": ["metadata.name", "kind"],
            },
        ),
        call(
            "ordered",
            "getEntities",
            {
                "order": {"field": "metadata.name", "order": "desc"},
                "limit": 4,
                "offset": 2,
                "fields": ["metadata.name"],
            },
        ),
        call("everything", "getEntities"),
    )

    filtered = value(results, "filtered")["items"]
    expected = [
        {"kind": entity.body["kind"], "metadata": {"name": entity.body["metadata"]["name"]}}
        for entity in Entity.objects.order_by("ref")
        if entity.kind.lower() == "api"
        or (entity.kind.lower() == "component" and entity.body["spec"].get("type") == "service")
    ]
    assert sorted(filtered, key=lambda item: item["metadata"]["name"]) == sorted(
        expected, key=lambda item: item["metadata"]["name"]
    )
    assert len(expected) == 5

    all_names = sorted(Entity.objects.values_list("name", flat=True), reverse=True)
    assert value(results, "ordered")["items"] == [{"metadata": {"name": name}} for name in all_names[2:6]]

    everything = value(results, "everything")["items"]
    assert sorted(refs_of(everything)) == sorted(Entity.objects.values_list("ref", flat=True))
    web = next(item for item in everything if item["metadata"]["name"] == "web")
    assert web["metadata"]["uid"] == str(Entity.objects.get(ref="component:default/web").pk)
    assert {"type": "ownedBy", "targetRef": "group:default/team-a"} in web["relations"]


def test_get_entities_by_refs_gives_undefined_for_misses(run_client, loaded_catalog):
    entity_refs = [
        "component:default/web",
        "component:default/nothing",
        "Component:default/orders",
        "api:default/orders-api",
    ]
    results = run_client(
        call("refs", "getEntitiesByRefs", {"entityRefs": entity_refs, "fields": ["kind", "metadata.name"]})
    )

    items = value(results, "refs")["items"]
    stored = {entity.ref: entity.body for entity in Entity.objects.filter(ref__in=entity_refs)}
    # Only canonical (lowercase) refs match, as in Backstage.
    assert items == [
        {"kind": stored[entity_ref]["kind"], "metadata": {"name": stored[entity_ref]["metadata"]["name"]}}
        if entity_ref in stored
        else UNDEFINED
        for entity_ref in entity_refs
    ]
    assert items[1] == items[2] == UNDEFINED


def test_query_entities_pages_with_cursors_both_ways(run_client, loaded_catalog):
    first_request = {"limit": 3, "orderFields": {"field": "metadata.name", "order": "asc"}, "fields": ["metadata.name"]}
    results = run_client(
        call("pages", "queryEntities", first_request, follow="nextCursor"),
        call("back", "queryEntities", {"cursor": ref("pages.2.pageInfo.prevCursor"), "limit": 3}),
        call(
            "search",
            "queryEntities",
            {"fullTextFilter": {"term": " PAY ", "fields": ["metadata.name"]}, "fields": ["metadata.name"]},
        ),
    )

    pages = value(results, "pages")
    count = Entity.objects.count()
    assert len(pages) == -(-count // 3)
    assert all(page["totalItems"] == count for page in pages)
    assert all(len(page["items"]) == 3 for page in pages[:-1])
    seen = [name for page in pages for name in names(page["items"])]
    assert seen == sorted(Entity.objects.values_list("name", flat=True))
    assert "prevCursor" not in pages[0]["pageInfo"] and "nextCursor" not in pages[-1]["pageInfo"]

    assert names(value(results, "back")["items"]) == names(pages[1]["items"])

    search = value(results, "search")
    expected = sorted(Entity.objects.filter(name__icontains="pay").values_list("name", flat=True))
    assert sorted(names(search["items"])) == expected and search["totalItems"] == len(expected) == 3


def test_get_entity_by_ref(run_client, loaded_catalog):
    results = run_client(
        call("found", "getEntityByRef", "component:default/payments-service"),
        call("case", "getEntityByRef", "Component:Default/Payments-Service"),
        call("missing", "getEntityByRef", "component:default/nothing"),
    )

    stored = Entity.objects.get(ref="component:default/payments-service")
    found = value(results, "found")
    assert {key: found[key] for key in ("apiVersion", "kind", "metadata", "spec")} == stored.body
    assert {"type": "providesApi", "targetRef": "api:default/payments-api"} in found["relations"]
    assert value(results, "case")["metadata"]["uid"] == str(stored.pk)
    assert value(results, "missing") == UNDEFINED


def test_get_entity_facets(run_client, loaded_catalog):
    results = run_client(
        call(
            "facets",
            "getEntityFacets",
            {"facets": ["kind", "metadata.tags", "spec.lifecycle"], "filter": {"kind": "Component"}},
        )
    )

    components = [entity.body for entity in Entity.objects.filter(kind__iexact="component")]
    expected = {
        "kind": Counter(body["kind"] for body in components),
        "metadata.tags": Counter(tag for body in components for tag in body["metadata"].get("tags", [])),
        "spec.lifecycle": Counter(body["spec"]["lifecycle"] for body in components),
    }
    facets = value(results, "facets")["facets"]
    assert {
        name: Counter({item["value"]: item["count"] for item in items}) for name, items in facets.items()
    } == expected
    assert all(len({item["value"] for item in items}) == len(items) for items in facets.values())


def test_add_and_remove_a_git_location(run_client, git_repo, eager_celery):
    repo = git_repo("shop-repo")
    repo.commit({"catalog-info.yaml": component("checkout", owner="team-a")})
    target = repo.url

    results = run_client(
        call("dry-run", "addLocation", {"type": "url", "target": target, "dryRun": True}),
        call("not-stored", "getEntityByRef", "component:default/checkout"),
    )
    dry_run = value(results, "dry-run")
    assert [entity["metadata"]["name"] for entity in dry_run["entities"] if entity["kind"] == "Component"] == [
        "checkout"
    ]
    assert dry_run["exists"] is False
    assert value(results, "not-stored") == UNDEFINED
    assert not Location.objects.filter(target=target).exists()

    results = run_client(
        call("add", "addLocation", {"type": "url", "target": target}),
        call("again", "addLocation", {"type": "url", "target": target}),
        call("checkout", "getEntityByRef", "component:default/checkout"),
    )
    added = value(results, "add")
    location = Location.objects.get(pk=added["location"]["id"])
    assert added["location"] == {
        "id": str(location.pk),
        "type": "url",
        "target": target,
        "entityRef": location.entity_ref,
    }
    assert error(results, "again") == {
        "name": "ResponseError",
        "message": "Request failed with 409 Conflict",
        "status": 409,
        "cause": "ConflictError",
    }
    assert Location.objects.filter(type="url", target=target).count() == 1

    checkout = value(results, "checkout")
    assert checkout["metadata"]["uid"] == str(
        Entity.objects.get(ref="component:default/checkout", location=location).pk
    )

    results = run_client(
        call("remove", "removeLocationById", str(location.pk)),
        call("gone", "getEntityByRef", "component:default/checkout"),
    )
    assert value(results, "remove") == UNDEFINED
    assert value(results, "gone") == UNDEFINED
    assert not Location.objects.filter(pk=location.pk).exists()
    assert not Entity.objects.filter(ref="component:default/checkout").exists()


def test_refresh_entity(run_client, loaded_catalog, eager_celery, write_file):
    write_file(
        "catalog.yaml", CATALOG.replace("metadata: {name: orders-db}", "metadata: {name: orders-db, title: Orders DB}")
    )
    results = run_client(
        call("known", "refreshEntity", "resource:default/orders-db"),
        call("unknown", "refreshEntity", "component:default/nothing"),
    )

    assert value(results, "known") == UNDEFINED
    assert Entity.objects.get(ref="resource:default/orders-db").body["metadata"]["title"] == "Orders DB"
    assert error(results, "unknown")["status"] == 404
    assert error(results, "unknown")["cause"] == "NotFoundError"


def test_validate_entity(run_client, db):
    entity = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "checkout"},
        "spec": {"type": "service", "lifecycle": "production", "owner": "team-a"},
    }
    without_owner = {**entity, "spec": {"type": "service", "lifecycle": "production"}}
    results = run_client(
        call("valid", "validateEntity", entity, "url:https://example.com/catalog-info.yaml"),
        call("invalid", "validateEntity", without_owner, "url:https://example.com/catalog-info.yaml"),
    )

    assert value(results, "valid") == {"valid": True}
    invalid = value(results, "invalid")
    assert invalid["valid"] is False
    assert [item["name"] for item in invalid["errors"]] == ["InputError"]
    assert "spec.owner" in invalid["errors"][0]["message"]
    assert not Entity.objects.exists()


def test_writes_without_a_token_are_refused(run_client, loaded_catalog, git_repo):
    repo = git_repo("unauthorised")
    repo.commit({"catalog-info.yaml": component("intruder")})
    location_count, entity_count = Location.objects.count(), Entity.objects.count()

    results = run_client(
        call("add", "addLocation", {"type": "url", "target": repo.url}),
        call("remove", "removeLocationById", str(loaded_catalog.pk)),
        call("refresh", "refreshEntity", "component:default/web"),
        as_token="",
    )

    for name in ("add", "remove", "refresh"):
        assert error(results, name)["status"] == 401
        assert error(results, name)["cause"] == "AuthenticationError"
    assert (Location.objects.count(), Entity.objects.count()) == (location_count, entity_count)
