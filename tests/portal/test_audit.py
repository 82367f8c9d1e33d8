"""Every write records exactly one audit event with its actor and channel; reads and failures record none."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from catalog.models import Entity, Location
from catalog.services import delete_orphans
from portal.models import AuditEvent
from portal.services.tokens import issue_token
from tests.catalog.webhook_payloads import SECRET, github_push, signed_headers

pytestmark = pytest.mark.django_db

BASE = "/api/catalog"


@pytest.fixture
def queued(monkeypatch) -> list[str]:
    sent: list[str] = []
    monkeypatch.setattr("catalog.tasks.refresh_location_task.delay", sent.append)
    return sent


@pytest.fixture
def fresh_log(org_catalog):
    """The organisation's catalog, with the events of building it (system writes) cleared."""
    AuditEvent.objects.all().delete()
    return org_catalog


def token_client(user) -> tuple[APIClient, str]:
    token, plain = issue_token(user, "ci")
    AuditEvent.objects.all().delete()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")
    return client, token.prefix


def only_event() -> AuditEvent:
    events = list(AuditEvent.objects.all())
    assert len(events) == 1, [str(event) for event in events]
    return events[0]


def describe(event: AuditEvent) -> tuple:
    return event.actor, event.channel, event.action, event.target


def test_writes_outside_requests_are_the_systems(org_catalog):
    events = AuditEvent.objects.order_by("id")
    assert [(event.actor, event.channel, event.action) for event in events] == [
        ("system", "task", "location.register")
    ] * 3
    assert events[0].target == org_catalog["people"].location_ref and events[0].user is None


def test_ui_refresh(client, fresh_log, alice, queued):
    client.force_login(alice)
    client.post("/catalog/component/default/shop-web/actions/refresh/")
    event = only_event()
    assert describe(event) == ("alice", "ui", "entity.refresh", "component:default/shop-web")
    assert (event.user, event.remote_address) == (alice, "127.0.0.1")
    assert event.details == {"location": fresh_log["shop"].location_ref}


def test_ui_unregister(client, fresh_log, alice):
    client.force_login(alice)
    client.post("/catalog/component/default/shop-web/actions/unregister/")
    event = only_event()
    assert describe(event) == ("alice", "ui", "location.delete", fresh_log["shop"].location_ref)
    assert event.details == {"entities_deleted": 3}  # with the generated Location entity


def test_api_refresh_with_a_token(fresh_log, alice, queued):
    api, prefix = token_client(alice)
    api.post(f"{BASE}/refresh", {"entityRef": "component:default/shop-web"}, format="json")
    event = only_event()
    assert describe(event) == ("alice", "api", "entity.refresh", "component:default/shop-web")
    assert event.token_prefix == prefix


def test_api_delete_entity(fresh_log, alice):
    api, _ = token_client(alice)
    api.delete(f"{BASE}/entities/by-uid/{Entity.objects.get(name='shop-web').pk}")
    assert describe(only_event()) == ("alice", "api", "entity.delete", "component:default/shop-web")


def test_api_register_update_and_delete_location(db, alice, platform_admin, queued):
    api, _ = token_client(alice)
    created = api.post(f"{BASE}/locations", {"type": "url", "target": "https://github.com/acme/a"}, format="json")
    location = Location.objects.get()
    assert describe(only_event()) == ("alice", "api", "location.register", location.location_ref)
    AuditEvent.objects.all().delete()
    admin, _ = token_client(platform_admin)
    location_id = created.json()["location"]["id"]
    admin.put(f"{BASE}/locations/{location_id}", {"type": "url", "target": "https://github.com/acme/b"}, format="json")
    event = only_event()
    assert describe(event) == ("pat", "api", "location.update", "url:https://github.com/acme/b")
    assert event.details["previous"] == "url:https://github.com/acme/a"
    AuditEvent.objects.all().delete()
    admin.delete(f"{BASE}/locations/{location_id}")
    assert describe(only_event()) == ("pat", "api", "location.delete", "url:https://github.com/acme/b")


def test_api_register_again_is_a_refresh_request(db, alice, queued):
    api, _ = token_client(alice)
    body = {"type": "url", "target": "https://github.com/acme/a"}
    api.post(f"{BASE}/locations", body, format="json")
    AuditEvent.objects.all().delete()
    api.post(f"{BASE}/locations?onConflict=refresh", body, format="json")
    assert describe(only_event()) == ("alice", "api", "location.refresh", "url:https://github.com/acme/a")


def test_webhook_push(client, db, settings, queued, django_capture_on_commit_callbacks):
    from catalog.services import register_location, validate_location_spec

    settings.CATALOG_WEBHOOK_SECRET = SECRET
    location = register_location(validate_location_spec("url", "https://github.com/acme/shop"), trusted=True)
    AuditEvent.objects.all().delete()
    raw = json.dumps(github_push()).encode()
    headers = signed_headers("github", raw)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{BASE}/webhooks/git", data=raw, content_type="application/json", headers=headers)
    event = only_event()
    assert describe(event) == ("webhook", "webhook", "location.refresh", location.location_ref)
    assert event.user is None and event.details["reason"] == "push to acme/shop"


def test_admin_refresh_and_delete(client, fresh_log, django_user_model, queued):
    root = django_user_model.objects.create_superuser("root", password="root-password-1")
    client.force_login(root)
    shop = fresh_log["shop"]
    changelist = "/admin/catalog/location/"
    client.post(changelist, {"action": "refresh_now", "_selected_action": [shop.pk]})
    assert describe(only_event()) == ("root", "admin", "location.refresh", shop.location_ref)
    AuditEvent.objects.all().delete()
    client.post(f"/admin/catalog/location/{shop.pk}/delete/", {"post": "yes"})
    assert describe(only_event()) == ("root", "admin", "location.delete", shop.location_ref)


def test_token_create_and_revoke_in_the_ui(client, alice):
    client.force_login(alice)
    client.post("/accounts/tokens/", {"name": "ci"})
    event = only_event()
    assert (event.actor, event.channel, event.action) == ("alice", "ui", "token.create")
    assert event.details == {"name": "ci", "user": "alice", "expires_at": None}
    AuditEvent.objects.all().delete()
    client.post(f"/accounts/tokens/{alice.api_tokens.get().pk}/revoke/")
    assert only_event().action == "token.revoke"


def test_delete_orphans_by_a_task(fresh_log):
    Entity.objects.filter(name="billing").update(is_orphan=True)
    delete_orphans()
    event = only_event()
    assert describe(event) == ("system", "task", "orphans.delete", "orphans")
    assert event.details == {"entities_deleted": 1, "refs": ["component:default/billing"]}


def test_reads_record_nothing(client, fresh_log, alice):
    client.force_login(alice)
    client.get("/catalog/component/default/shop-web/")
    client.get("/catalog/component/default/shop-web/actions/unregister/")  # the preview is a read
    client.get(f"{BASE}/entities")
    assert not AuditEvent.objects.exists()


def test_refused_writes_record_nothing(client, fresh_log, bob, queued):
    client.force_login(bob)
    client.post("/catalog/component/default/shop-web/actions/refresh/")
    api = APIClient()
    api.force_authenticate(bob)
    api.delete(f"{BASE}/locations/{fresh_log['shop'].pk}")
    assert not AuditEvent.objects.exists()


def test_a_write_that_fails_midway_records_nothing(client, fresh_log, alice, monkeypatch):
    def broken(peers):
        raise RuntimeError("stitching failed")

    monkeypatch.setattr("catalog.services.locations.stitch", broken)
    client.force_login(alice)
    client.raise_request_exception = False
    assert client.post("/catalog/component/default/shop-web/actions/unregister/").status_code == 500
    assert Location.objects.filter(pk=fresh_log["shop"].pk).exists()
    assert not AuditEvent.objects.exists()


def test_admin_log_is_for_platform_admins_and_read_only(client, fresh_log, platform_admin, django_user_model):
    Entity.objects.filter(name="billing").update(is_orphan=True)
    delete_orphans()
    platform_admin.is_staff = True
    platform_admin.save()
    client.force_login(platform_admin)
    listing = client.get("/admin/portal/auditevent/", {"channel__exact": "task", "q": "orphans"})
    assert listing.status_code == 200 and "orphans.delete" in listing.content.decode()
    event = AuditEvent.objects.get()
    assert client.post(f"/admin/portal/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/portal/auditevent/add/").status_code == 403
    staff = django_user_model.objects.create_user("staff", password="staff-password-1", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/portal/auditevent/").status_code == 403
    assert AuditEvent.objects.count() == 1
