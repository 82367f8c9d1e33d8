"""The entity providers' page, command, admin screen, /readyz detail and /metrics gauges."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from catalog.models import Entity, ProviderState
from catalog.services.providers import run_provider
from tests.catalog.provider_doubles import STATIC_ENTITIES, user
from tests.catalog.test_providers import configure  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    account = get_user_model().objects.create_user("sam", password="pw-sam-123", is_staff=True)
    client.force_login(account)
    return client


@pytest.fixture
def two_providers(configure, settings):  # noqa: F811
    # The embedded default: runs happen in this process (a configured worker gets them otherwise).
    settings.CELERY_TASK_ALWAYS_EAGER = True
    configured = configure(
        {"static": {"org": {"entities": [user("ann"), user("bob")]}, "broken": {"fail": "directory down"}}}
    )
    run_provider(configured.by_id("static:org"))
    run_provider(configured.by_id("static:broken"))
    return configured


def test_page_lists_status_counts_and_error(staff, two_providers, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = staff.get("/catalog/providers/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "static:org" in page and "static:broken" in page
    assert "directory down" in page and "failing" in page
    assert "2 / 0 / 0" in page
    assert 'action="/catalog/providers/refresh/"' in page


def test_page_is_for_staff_only(client, two_providers):
    assert client.get("/catalog/providers/").status_code == 302
    client.force_login(get_user_model().objects.create_user("ann", password="pw-ann-123"))
    assert client.get("/catalog/providers/").status_code == 403
    assert client.post("/catalog/providers/refresh/", {"provider": "static:org"}).status_code == 403


def test_refresh_now_runs_the_provider(staff, two_providers, eager, django_capture_on_commit_callbacks):
    STATIC_ENTITIES["static:org"] = [user("ann"), user("bob"), user("cy")]
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post("/catalog/providers/refresh/", {"provider": "static:org"})
    assert response.status_code == 302 and response["Location"] == "/catalog/providers/"
    assert Entity.objects.filter(ref="user:default/cy").exists()
    assert ProviderState.objects.get(provider_id="static:org").added == 1


def test_refresh_of_an_unknown_provider_is_404(staff, two_providers):
    assert staff.post("/catalog/providers/refresh/", {"provider": "static:nope"}).status_code == 404


def test_command_lists_providers(two_providers, capsys):
    call_command("catalog_providers")
    out = capsys.readouterr().out
    assert "static:org  type=static  schedule=every 3600s, timeout 900s" in out
    assert "entities=2  added=2 changed=0 removed=0  status=ok" in out
    assert "error: directory down (1 failed in a row)" in out


def test_command_refresh_wait_prints_changes(two_providers, capsys):
    STATIC_ENTITIES["static:org"] = [user("ann")]
    call_command("catalog_providers", "refresh", "static:org", "--wait")
    out = capsys.readouterr().out
    assert "static:org: 0 added, 0 changed, 1 removed, 1 entities in" in out
    assert "  removed   user:default/bob" in out


def test_command_refresh_failure_exits_non_zero_with_the_error(two_providers):
    with pytest.raises(CommandError, match=r"^static:broken failed: directory down$"):
        call_command("catalog_providers", "refresh", "static:broken", "--wait")


def test_command_refuses_an_unknown_provider(two_providers):
    with pytest.raises(CommandError, match=r"no entity provider 'static:nope' is configured"):
        call_command("catalog_providers", "refresh", "static:nope")


def test_admin_lists_provider_state(client, two_providers):
    client.force_login(get_user_model().objects.create_superuser("root", password="pw-root-123"))
    response = client.get("/admin/catalog/providerstate/")
    assert response.status_code == 200
    assert "static:broken" in response.content.decode() and "directory down" in response.content.decode()


def test_readyz_details_name_each_provider_without_its_error(client, two_providers):
    body = client.get("/readyz").json()
    providers = body["details"]["catalog"]["providers"]
    assert providers["static:org"]["status"] == "ok" and providers["static:org"]["entities"] == 2
    assert providers["static:broken"]["status"] == "failing"
    assert providers["static:broken"]["consecutiveFailures"] == 1
    assert "directory down" not in str(body)


def test_metrics_carry_provider_gauges(client, two_providers):
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'greenroom_catalog_provider_entities{provider="static:org"} 2.0' in text
    assert 'greenroom_catalog_provider_consecutive_failures{provider="static:broken"} 1.0' in text
    assert 'greenroom_catalog_provider_last_run_changes{change="added",provider="static:org"} 2.0' in text
