"""Every unsafe route: a successful write records exactly one audit event, a refused one none.

The routes are read from the URL configuration: every pattern whose view accepts POST, PUT, PATCH or
DELETE (class-based views and DRF views by their methods; a plain function view cannot say, so it
counts as unsafe). Each needs an entry in ``ROUTES`` (a request that writes, the event it records,
and a refused request), in ``WRITES_NOTHING`` (why a POST there stores no row), in ``COVERED_BY``
(the test that already asserts its event). A ``prepare`` step makes the rows a route acts on.
``test_every_unsafe_route_has_an_entry`` fails for a new route with none, and for an entry whose
route is gone.

Scope: the Django admin is left to its own tests (``tests/portal/test_account_audit.py``,
``tests/portal/test_audit.py``, ``tests/catalog/test_admin.py``, ``tests/techradar/test_admin.py``):
its routes are generated per model, and ``tests/architecture/test_write_path.py`` holds every
ModelAdmin to saving and deleting through services. Soundcheck's routes: ``SOUNDCHECK_ROUTES``.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db.models import Count, Max
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from catalog.models import Entity, Location
from catalog.services import refresh_location, register_location, validate_location_spec
from portal.models import ApiToken, AuditEvent
from portal.services.tokens import issue_token
from scaffolder.models import Task
from scaffolder.services import cancel_task, create_task
from tests.conftest import GitRepo, component
from tests.portal.conftest import ORG, components
from tests.scaffolder.conftest import load_entity, write_template
from tests.techradar.conftest import SAMPLE

UNSAFE = {"post", "put", "patch", "delete"}

# Soundcheck's pages and API are walked, with the same rules and their own completeness check, by
# tests/soundcheck/test_audit_events.py (every unsafe route there has a case).
SOUNDCHECK_ROUTES = ("soundcheck:", "soundcheck-api:")


def _walk(resolver: URLResolver, prefix: str = "", namespaces: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            spaces = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _walk(pattern, prefix + str(pattern.pattern), spaces)
        elif isinstance(pattern, URLPattern):
            yield ":".join((*namespaces, pattern.name or prefix + str(pattern.pattern))), pattern.callback


def _accepts_unsafe(callback: Any) -> bool:
    actions = getattr(callback, "actions", None)
    if actions:
        return bool(set(actions) & UNSAFE)
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view is None:
        return True
    return any(hasattr(view, method) for method in UNSAFE)


def unsafe_routes() -> set[str]:
    names = set()
    for name, callback in _walk(get_resolver()):
        if name.startswith(("admin:", *SOUNDCHECK_ROUTES)):
            continue
        if _accepts_unsafe(callback):
            names.add(name)
    return names


@dataclass
class World:
    """A catalog of people and components, the sample radar, and signed-in clients by persona.

    Alice is in team-a (which owns shop-web), Bob in team-b, Pat a platform admin.
    """

    alice: Any
    bob: Any
    pat: Any
    client: Callable[[Any], Any]
    api: Callable[[Any], APIClient]
    tmp_path: Path
    settings: Any


@dataclass(frozen=True)
class Route:
    write: Callable[[World], Any]  # returns the response of a request that writes
    action: str  # the one event it records
    refuse: Callable[[World], Any]  # returns the response of a request refused (4xx or a form error)
    # Makes the rows both requests act on (a token to revoke, a task to cancel); it runs before the
    # snapshot of row counts, and the events it records are cleared.
    prepare: Callable[[World], Any] | None = None


def _star(world: World, user: Any, starred: str = "true") -> Any:
    return world.client(user).post("/catalog/stars/", {"ref": "component:default/shop-web", "starred": starred})


def _token_revoke(world: World, user: Any) -> Any:
    token = ApiToken.objects.get(user=world.alice, name="ci")
    return world.client(user).post(f"/accounts/tokens/{token.pk}/revoke/")


def _uid(name: str) -> str:
    return str(Entity.objects.get(name=name).pk)


def _radar_ids(quadrant: str = "languages", ring: str = "assess") -> dict[str, int]:
    from techradar.models import Quadrant, Ring

    return {
        "quadrant": Quadrant.objects.get(radar__slug="default", key=quadrant).pk,
        "ring": Ring.objects.get(radar__slug="default", key=ring).pk,
    }


# A one-page template whose only step logs: enough to start, cancel and retry a run.
WALKER_TEMPLATE = {
    "apiVersion": "scaffolder.backstage.io/v1beta3",
    "kind": "Template",
    "metadata": {"name": "walker", "title": "Walker"},
    "spec": {
        "owner": "group:default/team-a",
        "type": "service",
        "parameters": [
            {
                "title": "Service",
                "required": ["name"],
                "properties": {"name": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"}},
            }
        ],
        "steps": [{"id": "log", "name": "Log", "action": "debug:log", "input": {"message": "hi"}}],
    },
}
TEMPLATE_FORM = "/create/templates/default/walker/"


def _template(world: World) -> Entity:
    (entity,) = load_entity(write_template(world.tmp_path / "templates" / "walker", WALKER_TEMPLATE))
    return entity


def _task(world: World, *, cancelled: bool = False) -> None:
    """Alice's run of the walker template, open (cancellable) or cancelled (retryable)."""
    task = create_task(_template(world), {"name": "billing"}, world.alice)
    if cancelled:
        cancel_task(task)


def _task_id() -> str:
    return str(Task.objects.get().pk)


def _register_repo(world: World) -> str:
    repository = GitRepo(world.tmp_path / "register-repo")
    repository.commit({"catalog-info.yaml": component("checkout")})
    return repository.url


def _documented(world: World) -> None:
    """A component of team-a's with a docs annotation, and a docs storage under ``tmp_path``."""
    world.settings.STORAGES = {
        **world.settings.STORAGES,
        "techdocs": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(world.tmp_path / "sites")},
        },
    }
    world.settings.TECHDOCS = {**world.settings.TECHDOCS, "BUILDER": "local"}
    # No build runs here: the sync queues one after the commit, which a test transaction never makes.
    root = world.tmp_path / "repos" / "documented"
    root.mkdir(parents=True)
    (root / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: documented\n"
        "  annotations:\n    backstage.io/techdocs-ref: dir:.\n"
        "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )
    refresh_location(register_location(validate_location_spec("file", str(root / "catalog-info.yaml")), trusted=True))


def _site_archive() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in {
            "index.html": b"<html><body><h1>From CI</h1></body></html>",
            "techdocs_metadata.json": b'{"site_name": "CI site"}',
        }.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _publish(world: World, user: Any) -> Any:
    return world.api(user).generic(
        "POST", "/api/techdocs/publish/default/component/documented", _site_archive(), content_type="application/gzip"
    )


def _provider(world: World) -> None:
    """An ldapOrg provider in the configuration (never reached: the run is queued after a commit)."""
    from catalog import config
    from catalog.services.providers import sync_provider_states

    entry = {"target": "ldap://127.0.0.1:9", "users": {"dn": "ou=people,dc=example,dc=org"}}
    world.settings.CATALOG = {**world.settings.CATALOG, "PROVIDERS": {"ldapOrg": {"corp": entry}}}
    config.catalog_settings.cache_clear()
    sync_provider_states(config.configured_providers().providers)


NEW_ENTRY = {"key": "zig", "title": "Zig", "quadrant": "languages", "ring": "assess", "reason": "Curious"}


def _location_refresh_url(ref: str) -> str:
    from catalog.models import Entity

    return f"/catalog/locations/{Entity.objects.get(ref=ref).location_id}/refresh/"


ROUTES: dict[str, Route] = {
    "accounts:tokens": Route(
        write=lambda w: w.client(w.alice).post("/accounts/tokens/", {"name": "ci"}),
        action="token.create",
        refuse=lambda w: w.client(w.alice).post("/accounts/tokens/", {"name": ""}),
    ),
    "accounts:token_revoke": Route(
        write=lambda w: _token_revoke(w, w.alice),
        action="token.revoke",
        refuse=lambda w: _token_revoke(w, w.bob),
        prepare=lambda w: issue_token(w.alice, "ci"),
    ),
    "account_logout": Route(
        write=lambda w: w.client(w.alice).post("/accounts/logout/"),
        action="account.sign_out",
        refuse=lambda w: w.client(None).post("/accounts/logout/"),
    ),
    "account_change_password": Route(
        write=lambda w: w.client(w.alice).post(
            "/accounts/password/change/",
            {"oldpassword": "alice-password-1", "password1": "new-password-77", "password2": "new-password-77"},
        ),
        action="account.password_change",
        refuse=lambda w: w.client(w.alice).post(
            "/accounts/password/change/",
            {"oldpassword": "wrong", "password1": "new-password-77", "password2": "new-password-77"},
        ),
    ),
    "catalog:star_toggle": Route(
        write=lambda w: _star(w, w.alice),
        action="entity.star",
        refuse=lambda w: w.client(w.alice).post("/catalog/stars/", {"ref": "component:default/missing"}),
    ),
    "entity_actions:refresh": Route(
        write=lambda w: w.client(w.alice).post("/catalog/component/default/shop-web/actions/refresh/"),
        action="entity.refresh",
        refuse=lambda w: w.client(w.bob).post("/catalog/component/default/shop-web/actions/refresh/"),
    ),
    "entity_actions:unregister": Route(
        write=lambda w: w.client(w.alice).post("/catalog/component/default/shop-web/actions/unregister/"),
        action="location.delete",
        refuse=lambda w: w.client(w.bob).post("/catalog/component/default/shop-web/actions/unregister/"),
    ),
    "catalog-api:refresh": Route(
        write=lambda w: w.api(w.alice).post(
            "/api/catalog/refresh", {"entityRef": "component:default/shop-web"}, format="json"
        ),
        action="entity.refresh",
        refuse=lambda w: w.api(w.bob).post(
            "/api/catalog/refresh", {"entityRef": "component:default/shop-web"}, format="json"
        ),
    ),
    "catalog-api:entity-by-uid": Route(
        write=lambda w: w.api(w.alice).delete(f"/api/catalog/entities/by-uid/{_uid('shop-web')}"),
        action="entity.delete",
        refuse=lambda w: w.api(w.bob).delete(f"/api/catalog/entities/by-uid/{_uid('shop-web')}"),
    ),
    "catalog-api:locations": Route(
        write=lambda w: w.api(w.alice).post(
            "/api/catalog/locations", {"type": "url", "target": "https://github.com/acme/a"}, format="json"
        ),
        action="location.register",
        refuse=lambda w: w.api(w.alice).post(
            "/api/catalog/locations", {"type": "url", "target": "ftp://acme/a"}, format="json"
        ),
    ),
    "catalog-api:location": Route(
        write=lambda w: w.api(w.pat).delete(f"/api/catalog/locations/{Location.objects.order_by('target')[0].pk}"),
        action="location.delete",
        refuse=lambda w: w.api(w.bob).delete(f"/api/catalog/locations/{Location.objects.order_by('target')[0].pk}"),
    ),
    "techradar:entry_create": Route(
        write=lambda w: w.client(w.pat).post(
            "/tech-radar/default/add/", {"key": "zig", "title": "Zig", "reason": "Curious", **_radar_ids()}
        ),
        action="techradar.entry.create",
        refuse=lambda w: w.client(w.pat).post(
            "/tech-radar/default/add/", {"key": "htmx", "title": "Zig", "reason": "Curious", **_radar_ids()}
        ),
    ),
    "techradar:entry_edit": Route(
        write=lambda w: w.client(w.pat).post(
            "/tech-radar/default/entries/htmx/edit/",
            {"title": "htmx 2", "quadrant": _radar_ids()["quadrant"], "description": "", "links": ""},
        ),
        action="techradar.entry.update",
        refuse=lambda w: w.client(w.bob).post("/tech-radar/default/entries/htmx/edit/", {"title": "Hacked"}),
    ),
    "techradar:entry_move": Route(
        write=lambda w: w.client(w.pat).post(
            "/tech-radar/default/entries/htmx/move/", {"ring": _radar_ids(ring="hold")["ring"], "reason": "Heavy"}
        ),
        action="techradar.entry.move",
        refuse=lambda w: w.client(w.pat).post(
            "/tech-radar/default/entries/htmx/move/", {"ring": _radar_ids(ring="hold")["ring"], "reason": " "}
        ),
    ),
    "techradar-api-entries": Route(
        write=lambda w: w.api(w.pat).post("/api/tech-radar/radars/default/entries/", NEW_ENTRY, format="json"),
        action="techradar.entry.create",
        refuse=lambda w: w.api(w.bob).post("/api/tech-radar/radars/default/entries/", NEW_ENTRY, format="json"),
    ),
    # An edit and a move in one PATCH: one write, one event; a refused move leaves the edit unstored.
    "techradar-api-entry": Route(
        write=lambda w: w.api(w.pat).patch(
            "/api/tech-radar/radars/default/entries/htmx/",
            {"title": "htmx 2", "ring": "hold", "reason": "Heavy"},
            format="json",
        ),
        action="techradar.entry.update",
        refuse=lambda w: w.api(w.pat).patch(
            "/api/tech-radar/radars/default/entries/htmx/",
            {"title": "htmx 2", "ring": "hold", "reason": " "},
            format="json",
        ),
    ),
    "catalog:location_refresh": Route(
        write=lambda w: w.client(w.alice).post(_location_refresh_url("component:default/shop-web")),
        action="location.refresh",
        refuse=lambda w: w.client(w.bob).post(_location_refresh_url("component:default/shop-web")),
    ),
    "catalog:provider_refresh": Route(
        write=lambda w: w.client(w.pat).post("/catalog/providers/refresh/", {"provider": "ldapOrg:corp"}),
        action="provider.refresh",
        refuse=lambda w: w.client(w.alice).post("/catalog/providers/refresh/", {"provider": "ldapOrg:corp"}),
        prepare=_provider,
    ),
    "catalog:register_location": Route(
        # The test repository is on this machine: only a platform admin may register a local target.
        write=lambda w: w.client(w.pat).post("/catalog/register/", {"target": _register_repo(w), "action": "register"}),
        action="location.register",
        refuse=lambda w: w.client(w.alice).post(
            "/catalog/register/", {"target": _register_repo(w), "action": "register"}
        ),
    ),
    "scaffolder:template_form": Route(
        write=lambda w: w.client(w.alice).post(TEMPLATE_FORM, {"step": "0", "action": "create", "name": "billing"}),
        action="scaffolder.run",
        refuse=lambda w: w.client(w.alice).post(TEMPLATE_FORM, {"step": "0", "action": "create", "name": "Bad Name"}),
        prepare=_template,
    ),
    "scaffolder:task_cancel": Route(
        write=lambda w: w.client(w.alice).post(f"/create/tasks/{_task_id()}/cancel/"),
        action="scaffolder.cancel",
        refuse=lambda w: w.client(w.bob).post(f"/create/tasks/{_task_id()}/cancel/"),
        prepare=_task,
    ),
    "scaffolder:task_retry": Route(
        write=lambda w: w.client(w.alice).post(f"/create/tasks/{_task_id()}/retry/"),
        action="scaffolder.retry",
        refuse=lambda w: w.client(w.bob).post(f"/create/tasks/{_task_id()}/retry/"),
        prepare=lambda w: _task(w, cancelled=True),
    ),
    "scaffolder-task-cancel": Route(
        write=lambda w: w.api(w.alice).post(f"/api/scaffolder/v2/tasks/{_task_id()}/cancel"),
        action="scaffolder.cancel",
        refuse=lambda w: w.api(w.bob).post(f"/api/scaffolder/v2/tasks/{_task_id()}/cancel"),
        prepare=_task,
    ),
    "scaffolder-task-retry": Route(
        write=lambda w: w.api(w.pat).post(f"/api/scaffolder/v2/tasks/{_task_id()}/retry"),
        action="scaffolder.retry",
        refuse=lambda w: w.api(w.bob).post(f"/api/scaffolder/v2/tasks/{_task_id()}/retry"),
        prepare=lambda w: _task(w, cancelled=True),
    ),
    "techdocs-api-sync": Route(
        write=lambda w: w.api(w.alice).post("/api/techdocs/sync/default/component/documented"),
        action="techdocs.rebuild",
        refuse=lambda w: w.api(w.bob).post("/api/techdocs/sync/default/component/documented"),
        prepare=_documented,
    ),
    "techdocs-api-publish": Route(
        write=lambda w: _publish(w, w.alice),
        action="techdocs.publish",
        refuse=lambda w: _publish(w, w.bob),
        prepare=_documented,
    ),
}

# Routes walked by an existing test that asserts their event.
COVERED_BY: dict[str, str] = {
    "account_login": "tests/portal/test_account_audit.py (a refusal records account.sign_in_failed, by design)",
    "account_signup": "tests/portal/test_account_audit.py (sign-up is closed by default)",
    "catalog-api:git-webhook": "tests/portal/test_audit.py::test_webhook_push",
    "catalog-api:git-webhook-provider": "tests/portal/test_audit.py::test_webhook_push (same view)",
    "scaffolder-tasks": "tests/scaffolder/test_api.py::test_create_task_with_a_bearer_token (scaffolder.run)",
    "techdocs:rebuild": "tests/techdocs/test_views_api.py (techdocs.rebuild)",
}

# Unsafe by method, but no row is stored there.
WRITES_NOTHING: dict[str, str] = {
    "favicon": "a redirect to the static icon that answers GET and HEAD only (test_favicon: POST is 405)",
    "scaffolder-dry-run": "runs a template in a temporary directory and answers with its files "
    "(test_a_dry_run_stores_nothing); the form's dry run stores a task and records scaffolder.run",
    "catalog-api:analyze-location": "a dry run: reads the target, stores nothing",
    "catalog-api:entities-by-query": "a read sent as POST (Backstage's shape)",
    "catalog-api:entities-by-refs": "a read sent as POST (Backstage's shape)",
    "catalog-api:entity-facets": "a read sent as POST",
    "catalog-api:locations-by-query": "a read sent as POST",
    "catalog-api:validate-entity": "validates a body, stores nothing",
    "accounts:google_login_by_token": "answers 404: not offered by this portal",
    "google_login_by_token": "allauth's One Tap endpoint, shadowed by accounts:google_login_by_token",
    "healthz": "a function view answering GET only",
    "readyz": "a function view answering GET only",
    "metrics": "a function view answering GET only",
    "account_email_verification_sent": "a page saying an email was sent",
    "account_reauthenticate": "re-enters a password for the session; no row",
    "account_request_reauthentication_code": "login codes are off (ACCOUNT_LOGIN_BY_CODE_ENABLED)",
    "account_confirm_reauthentication_code": "login codes are off",
    "account_confirm_login_code": "login codes are off",
    "account_reset_password": "sends an email; the reset itself is account_reset_password_from_key",
    # allauth's own flows; their writes send the signals portal.services.accounts records
    # (password_reset, password_set, email_*, social_account_*), which need mail or a provider here.
    "account_reset_password_from_key": "needs a mailed key; records account.password_reset",
    "account_set_password": "only for accounts without a password; records account.password_set",
    "account_email": "email addresses; records account.email_add/remove/primary",
    "account_confirm_email": "email confirmation is off by default; records account.email_confirm",
    "socialaccount_connections": "linked provider accounts; records account.sso_link/unlink",
    "socialaccount_signup": "finishes a provider's sign-up; records account.sign_up",
    "accounts/social/connections/": "allauth's legacy redirect to socialaccount_connections",
    "accounts/social/login/cancelled/": "allauth's legacy redirect",
    "accounts/social/login/error/": "allauth's legacy redirect",
    "accounts/social/signup/": "allauth's legacy redirect to socialaccount_signup",
    "socialaccount_login_cancelled": "a page saying the provider sign-in was cancelled",
    "socialaccount_login_error": "a page saying the provider sign-in failed",
    **{
        f"{provider}_{step}": "a provider's redirect flow; its sign-in records account.sign_in"
        for provider in ("github", "gitlab", "google", "openid_connect")
        for step in ("login", "callback")
    },
}


def test_every_unsafe_route_has_an_entry():
    listed = set(ROUTES) | set(COVERED_BY) | set(WRITES_NOTHING)
    routes = unsafe_routes()
    assert sorted(routes - listed) == []
    assert sorted((set(ROUTES) | set(COVERED_BY)) - routes) == []


def _row_counts() -> dict[str, tuple]:
    """Rows per model, with the latest ``updated_at`` and ``revoked_at`` where a model has them: an
    edit that was stored changes one of these."""
    labels = ("portal", "catalog", "techradar", "scaffolder", "techdocs")
    snapshot = {}
    for label in labels:
        for model in apps.get_app_config(label).get_models():
            stamps = [field.name for field in model._meta.fields if field.name in ("updated_at", "revoked_at")]
            marks = model.objects.aggregate(rows=Count("pk"), **{name: Max(name) for name in stamps})
            snapshot[model._meta.label] = tuple(sorted(marks.items()))
    return snapshot


@pytest.fixture
def world(db, write_file, django_user_model, settings, monkeypatch, tmp_path) -> World:
    from django.contrib.auth.models import Group
    from django.test import Client

    from techradar.format import parse_radar_file
    from techradar.services import import_radar

    monkeypatch.setattr("catalog.tasks.refresh_location_task.delay", lambda *args: None)
    for name, text in {"people": ORG, "shop": components(("shop-web", "team-a"), ("shop-api", "team-a"))}.items():
        spec = validate_location_spec("file", str(write_file(f"{name}.yaml", text)))
        refresh_location(register_location(spec, trusted=True))
    import_radar(parse_radar_file(SAMPLE.read_bytes(), str(SAMPLE)), "default", title="Sample radar")
    alice = django_user_model.objects.create_user("alice", password="alice-password-1")
    bob = django_user_model.objects.create_user("bob", password="bob-password-1")
    pat = django_user_model.objects.create_user("pat", password="pat-password-1")
    pat.groups.add(Group.objects.get_or_create(name=settings.PLATFORM_ADMIN_GROUP)[0])
    # Where the scaffolder would keep workspaces (runs are queued after a commit, never here).
    settings.SCAFFOLDER = {**settings.SCAFFOLDER, "WORKING_DIRECTORY": str(tmp_path / "workspaces")}

    def client(user: Any) -> Client:
        page_client = Client()
        if user is not None:
            page_client.force_login(user)
        return page_client

    api_clients = {}
    for user in (alice, bob, pat):
        _, plain = issue_token(user, "walker")
        api_clients[user.pk] = APIClient()
        api_clients[user.pk].credentials(HTTP_AUTHORIZATION=f"Bearer {plain}")

    def api(user: Any) -> APIClient:
        return api_clients[user.pk]

    AuditEvent.objects.all().delete()
    return World(alice=alice, bob=bob, pat=pat, client=client, api=api, tmp_path=tmp_path, settings=settings)


def _prepare(world: World, route: Route) -> None:
    if route.prepare is not None:
        route.prepare(world)
        AuditEvent.objects.all().delete()


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_successful_write_records_one_event(world, name):
    _prepare(world, ROUTES[name])
    response = ROUTES[name].write(world)
    assert response.status_code < 400, response.content[:500]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [ROUTES[name].action]


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_refused_write_records_nothing_and_stores_nothing(world, name):
    route = ROUTES[name]
    _prepare(world, route)
    before = _row_counts()
    response = route.refuse(world)
    status = response.status_code
    page_refusal = status == 200 and response.wsgi_request.method == "POST"
    assert status >= 400 or page_refusal or status == 302, status
    assert not AuditEvent.objects.exists()
    assert _row_counts() == before


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_a_dry_run_stores_nothing(world, user):
    """``POST /api/scaffolder/v2/dry-run`` runs the template and stores no row, so it records no event."""
    before = _row_counts()
    response = world.api(getattr(world, user)).post(
        "/api/scaffolder/v2/dry-run", {"template": WALKER_TEMPLATE, "values": {"name": "billing"}}, format="json"
    )
    assert response.status_code == 200, response.content[:500]
    assert response.json()["status"] == "completed", response.json()
    assert not AuditEvent.objects.exists()
    assert _row_counts() == before
