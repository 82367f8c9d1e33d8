"""Every unsafe route of Soundcheck's pages and API records exactly one audit event when it writes,
and none when it refuses; so do the admin's screens and an apply of definitions that changes them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from portal.models import AuditEvent
from portal.services.tokens import issue_token
from soundcheck.definitions import parse_definitions
from soundcheck.models import Campaign, Check, Fact, Source, Track
from soundcheck.services.definitions import apply_definitions
from soundcheck.ui_tasks import rerun_checks
from tests.security.conftest import iter_routes

from .conftest import descriptor, make_check, make_track
from .factories import make_campaign

pytestmark = pytest.mark.django_db

UNSAFE_METHODS = ("post", "put", "patch", "delete")
SHOP = "component:default/shop"
ORG = """apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
"""
JUNIT = b'<testsuite tests="2" failures="0" errors="0" skipped="0"><testcase name="a"/><testcase name="b"/></testsuite>'


def unsafe_routes() -> dict[str, set[str]]:
    """Soundcheck's routes (pages and API) that accept a method other than GET, HEAD and OPTIONS."""
    found = {}
    for route in iter_routes():
        if not route.name.startswith(("soundcheck:", "soundcheck-api:")):
            continue
        view = getattr(route.callback, "view_class", None)
        methods = {method for method in UNSAFE_METHODS if hasattr(view, method)}
        if methods:
            found[route.name] = methods
    return found


@dataclass
class World:
    admin: Client  # a platform admin's session
    owner: Client  # alice's session: she owns the shop through team-a
    stranger: Client  # bob's session: he owns nothing
    owner_api: APIClient  # alice's token
    stranger_api: APIClient
    track: Track


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'ci')[1]}")
    return client


@pytest.fixture
def world(make_catalog, django_user_model, monkeypatch) -> World:
    make_catalog(ORG, descriptor("shop"))
    track = make_track("quality", [[make_check("tests", {"fact": "ci.tests_passed", "equals": True})]])
    make_campaign("silver", track=track, target_level=1)
    monkeypatch.setattr(rerun_checks, "delay", lambda ref: None)  # queued, not run
    alice = django_user_model.objects.create_user("alice", password="alice-password-1")
    bob = django_user_model.objects.create_user("bob", password="bob-password-1")
    clients = [Client(), Client(), Client()]
    clients[0].force_login(django_user_model.objects.create_superuser("root", password="root-password-1"))
    clients[1].force_login(alice)
    clients[2].force_login(bob)
    world = World(*clients, owner_api=_api(alice), stranger_api=_api(bob), track=track)
    AuditEvent.objects.all().delete()  # issuing the tokens is audited too
    return world


def campaign_form(world: World, **overrides: object) -> dict:
    today = timezone.localdate()
    data = {"key": "q3", "name": "Q3", "track": world.track.pk, "target_level": 1, "starts_on": today.isoformat(),
            "deadline": (today + datetime.timedelta(days=30)).isoformat()}  # fmt: skip
    return {**data, **overrides}


RERUN = "/soundcheck/entities/component/default/shop/rerun/"
FACTS = "/api/soundcheck/facts"


def upload(client: APIClient, report: str, body: bytes) -> int:
    return client.post(f"{FACTS}/{report}?entityRef={SHOP}", body, content_type="application/xml").status_code


# route name -> (a request that writes, the action it records, a request that is refused)
Request = Callable[[World], int]
CASES: dict[str, tuple[Request, str, list[Request]]] = {
    "soundcheck:campaign_create": (
        lambda w: w.admin.post("/soundcheck/campaigns/new/", campaign_form(w)).status_code,
        "soundcheck.campaign.create",
        [
            lambda w: w.admin.post("/soundcheck/campaigns/new/", campaign_form(w, target_level=9)).status_code,
            lambda w: w.owner.post("/soundcheck/campaigns/new/", campaign_form(w)).status_code,
        ],
    ),
    "soundcheck:campaign_edit": (
        lambda w: w.admin.post("/soundcheck/campaigns/silver/edit/", campaign_form(w, name="Renamed")).status_code,
        "soundcheck.campaign.update",
        [
            lambda w: w.admin.post("/soundcheck/campaigns/silver/edit/", campaign_form(w, deadline="x")).status_code,
            lambda w: w.owner.post("/soundcheck/campaigns/silver/edit/", campaign_form(w)).status_code,
        ],
    ),
    "soundcheck:rerun_checks": (
        lambda w: w.owner.post(RERUN).status_code,
        "soundcheck.rerun",
        [lambda w: w.stranger.post(RERUN).status_code, lambda w: Client().post(RERUN).status_code],
    ),
    "soundcheck-api:facts": (
        lambda w: w.owner_api.post(FACTS, {"entityRef": SHOP, "facts": {"ci.x": 1}}, format="json").status_code,
        "soundcheck.facts.push",
        [
            lambda w: w.stranger_api.post(FACTS, {"entityRef": SHOP, "facts": {"ci.x": 1}}, format="json").status_code,
            lambda w: w.owner_api.post(FACTS, {"entityRef": SHOP, "facts": {"bad name": 1}}, format="json").status_code,
        ],
    ),
    "soundcheck-api:facts-junit": (
        lambda w: upload(w.owner_api, "junit", JUNIT),
        "soundcheck.facts.push",
        [lambda w: upload(w.stranger_api, "junit", JUNIT), lambda w: upload(w.owner_api, "junit", b"<nope")],
    ),
    "soundcheck-api:facts-coverage": (
        lambda w: upload(w.owner_api, "coverage", b"87.5"),
        "soundcheck.facts.push",
        [lambda w: upload(w.stranger_api, "coverage", b"87.5"), lambda w: upload(w.owner_api, "coverage", b"lots")],
    ),
}


def test_every_unsafe_route_has_a_case():
    assert unsafe_routes() == {name: {"post"} for name in CASES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_write_records_exactly_one_event(world, name):
    write, action, _ = CASES[name]
    assert write(world) in (200, 302)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [action]


@pytest.mark.parametrize(("name", "index"), [(name, index) for name in sorted(CASES) for index in range(2)])
def test_a_refused_request_records_none(world, name, index):
    refused = CASES[name][2][index]
    assert refused(world) in (302, 400, 403, 413)
    assert not AuditEvent.objects.exists()


def test_the_event_names_who_and_what(world):
    world.owner_api.post(FACTS, {"entityRef": SHOP, "facts": {"ci.x": 1, "ci.y": True}}, format="json")
    event = AuditEvent.objects.get()
    assert (event.actor, event.channel, event.target) == ("alice", "api", SHOP)
    assert event.details == {"collector": "api", "facts": ["ci.x", "ci.y"], "created": 2, "changed": 0}
    assert Fact.objects.filter(entity_ref=SHOP).count() == 2


def test_a_login_redirect_is_a_refusal_not_a_write(world):
    response = Client().post("/soundcheck/campaigns/new/", campaign_form(world))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Campaign.objects.filter(key="q3").exists()


# --- the admin -----------------------------------------------------------------------------


def test_admin_check_add_edit_and_delete_record_one_event_each(world):
    data = {"key": "has-owner", "name": "Has owner", "rule": "{fact: catalog.owner, exists: true}"}
    assert world.admin.post("/admin/soundcheck/check/add/", data).status_code == 302
    check = Check.objects.get(key="has-owner")
    assert world.admin.post(f"/admin/soundcheck/check/{check.pk}/change/", {**data, "name": "Owned"}).status_code == 302
    assert world.admin.post(f"/admin/soundcheck/check/{check.pk}/delete/", {"post": "yes"}).status_code == 302
    events = AuditEvent.objects.order_by("id").values_list("action", "target", "channel")
    assert list(events) == [
        ("soundcheck.check.create", "check:has-owner", "admin"),
        ("soundcheck.check.update", "check:has-owner", "admin"),
        ("soundcheck.check.delete", "check:has-owner", "admin"),
    ]


def test_admin_refused_check_records_none(world):
    data = {"key": "has-owner", "name": "Has owner", "rule": "{fact: catalog.owner, between: 3}"}
    assert world.admin.post("/admin/soundcheck/check/add/", data).status_code == 200
    assert not AuditEvent.objects.exists()


def test_admin_track_with_levels_records_one_event(world):
    check = Check.objects.get(key="tests")
    data = {"key": "docs", "name": "Docs", "entity_filter": "{}", "owner_ref": "",
            "levels-TOTAL_FORMS": "2", "levels-INITIAL_FORMS": "0",
            "levels-0-ordinal": "1", "levels-0-name": "L1", "levels-0-checks": [check.pk],
            "levels-1-ordinal": "2", "levels-1-name": "L2", "levels-1-checks": [check.pk]}  # fmt: skip
    response = world.admin.post("/admin/soundcheck/track/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Track.objects.get(key="docs").levels.count() == 2
    assert list(AuditEvent.objects.values_list("action", "target")) == [("soundcheck.track.create", "track:docs")]


def test_admin_campaign_edit_and_bulk_delete(world):
    campaign = Campaign.objects.get(key="silver")
    form = campaign_form(world, key="silver", name="Silver")
    assert world.admin.post(f"/admin/soundcheck/campaign/{campaign.pk}/change/", form).status_code == 302
    make_campaign("gold", track=world.track, target_level=1)
    chosen = list(Campaign.objects.values_list("pk", flat=True))
    response = world.admin.post(
        "/admin/soundcheck/campaign/", {"action": "delete_selected", "_selected_action": chosen, "post": "yes"}
    )
    assert response.status_code == 302 and not Campaign.objects.exists()
    assert sorted(AuditEvent.objects.values_list("action", "target")) == [
        ("soundcheck.campaign.delete", "campaign:gold"),
        ("soundcheck.campaign.delete", "campaign:silver"),
        ("soundcheck.campaign.update", "campaign:silver"),
    ]


# --- definitions from a source -------------------------------------------------------------

DEFINITIONS = b"""checks:
  - key: has-owner
    name: Has an owner
    rule: {fact: catalog.owner, exists: true}
"""


def test_applying_definitions_records_one_event_and_none_when_nothing_changed(world):
    apply_definitions(parse_definitions(DEFINITIONS, "a.yaml"), Source.REPOSITORY, "file:/defs/a.yaml")
    apply_definitions(parse_definitions(DEFINITIONS, "a.yaml"), Source.REPOSITORY, "file:/defs/a.yaml")
    changed = DEFINITIONS.replace(b"Has an owner", b"Owned")
    apply_definitions(parse_definitions(changed, "a.yaml"), Source.REPOSITORY, "file:/defs/a.yaml")
    events = AuditEvent.objects.order_by("id").values_list("action", "target", "actor", "details")
    assert list(events) == [
        ("soundcheck.definitions.apply", "file:/defs/a.yaml", "system",
         {"source": "repository", "created": ["check:has-owner"], "updated": [], "removed": []}),
        ("soundcheck.definitions.apply", "file:/defs/a.yaml", "system",
         {"source": "repository", "created": [], "updated": ["check:has-owner"], "removed": []}),
    ]  # fmt: skip
