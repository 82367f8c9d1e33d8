"""Register an existing component: paste a URL, preview the dry run, confirm."""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.models import Entity, Location
from tests.conftest import component

pytestmark = pytest.mark.django_db
URL = "/catalog/register/"

BROKEN = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: broken}
spec: {lifecycle: production, owner: team-a}
"""


@pytest.fixture
def repo(git_repo):
    repository = git_repo()
    repository.commit({"catalog-info.yaml": component("web") + "---\n" + component("billing", owner="team-b")})
    return repository


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def admin_signed_in(client, admin_user):
    """Test repositories are local, and only platform admins may register local targets."""
    client.force_login(admin_user)
    return client


@pytest.fixture
def queued(monkeypatch):
    """Refreshes enqueued after commit, by location id."""
    ids: list[str] = []
    monkeypatch.setattr("catalog.tasks.refresh_location_task.delay", ids.append)
    return ids


def form_errors(response) -> str:
    body = response.content.decode()
    return body.split('role="alert">')[1].split("</div>")[0] if 'role="alert">' in body else ""


def test_register_page_needs_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.post(URL, {"target": "https://example.com/x.git", "action": "register"}).status_code == 302
    assert not Location.objects.exists()


def test_page_shows_the_form(signed_in):
    page = signed_in.get(URL).content.decode()
    assert "<h1>Register an existing component</h1>" in page
    assert '<label for="id_target">Repository or file URL</label>' in page


def test_preview_lists_the_entities_found_and_stores_nothing(admin_signed_in, repo):
    response = admin_signed_in.post(URL, {"target": repo.url, "action": "preview"})
    page = response.content.decode()
    assert response.status_code == 200 and form_errors(response) == ""
    assert "2 entities found" in page
    assert "<td>Component</td>" in page and "<td><bdi>web</bdi></td>" in page and "<td><bdi>team-b</bdi></td>" in page
    assert "Register 2 entities</button>" in page
    assert not Location.objects.exists() and not Entity.objects.exists()


def test_htmx_preview_answers_with_the_panel_only(admin_signed_in, repo):
    response = admin_signed_in.post(URL, {"target": repo.url, "action": "preview"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and body.startswith('<div id="register-panel">') and "2 entities found" in body
    assert "HX-Request" in response["Vary"]


def test_preview_names_the_file_and_field_of_validation_problems(admin_signed_in, git_repo):
    repository = git_repo("broken")
    repository.commit({"catalog-info.yaml": component("web") + "---\n" + BROKEN})
    page = admin_signed_in.post(URL, {"target": repository.url, "action": "preview"}).content.decode()
    assert "1 entity found" in page
    problems = page.split("<h3>Problems</h3>")[1]
    assert "catalog-info.yaml" in problems and "<code>spec.type</code>" in problems and "document 2" in problems


def test_confirm_registers_the_location_and_enqueues_its_refresh(
    admin_signed_in, repo, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_signed_in.post(URL, {"target": repo.url, "action": "register"})
    location = Location.objects.get()
    assert (location.type, location.target, location.origin) == ("url", repo.url, "registered")
    assert queued == [str(location.pk)]
    assert response.status_code == 302 and response["Location"] == f"{URL}?registered={location.pk}"
    page = admin_signed_in.get(response["Location"]).content.decode()
    assert f"Registered url:{repo.url}" in page


def test_htmx_confirm_answers_with_the_success_panel(admin_signed_in, repo, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_signed_in.post(URL, {"target": repo.url, "action": "register"}, HTTP_HX_REQUEST="true")
    assert f"Registered url:{repo.url}" in response.content.decode()
    assert Location.objects.count() == 1 and len(queued) == 1


def test_a_registered_location_is_refused_again(admin_signed_in, repo, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_signed_in.post(URL, {"target": repo.url, "action": "register"})
    for action in ("preview", "register"):
        response = admin_signed_in.post(URL, {"target": repo.url, "action": action})
        assert f"url:{repo.url} is already registered." in form_errors(response)
        assert "Register 2 entities</button>" not in response.content.decode()
    assert Location.objects.count() == 1 and len(queued) == 1


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("", "Paste the URL of a repository or of a catalog-info.yaml file."),
        ("   ", "Paste the URL of a repository or of a catalog-info.yaml file."),
        ("not a url", "&#x27;not a url&#x27; is not a URL."),
        ("http://example.com/org/repo.git", "unsupported git remote scheme &#x27;http&#x27;; use https, ssh or file"),
        ("ftp://example.com/org/repo.git", "unsupported git remote scheme &#x27;ftp&#x27;"),
        ("ext::sh -c touch% /tmp/pwned", "is not a URL"),
        ("https://example.com/org/repo.git#bad..branch", "is not a valid git ref name"),
        ("file:///nonexistent/repo.git", "local targets come only from settings, app-config or a platform admin"),
        ("https://nonexistent.invalid/org/repo.git", "cannot resolve host"),
    ],
)
def test_bad_input_gets_a_message_and_registers_nothing(signed_in, target, message):
    for action in ("preview", "register"):
        response = signed_in.post(URL, {"target": target, "action": action})
        assert response.status_code == 200
        assert message in form_errors(response), form_errors(response)
    assert not Location.objects.exists()


def test_a_repository_without_entities_registers_nothing(admin_signed_in, git_repo):
    repository = git_repo("empty")
    repository.commit({"README.md": "nothing here"})
    response = admin_signed_in.post(URL, {"target": repository.url, "action": "register"})
    assert "Could not read" in form_errors(response) and "catalog-info.yaml" in form_errors(response)
    assert not Location.objects.exists()


def test_a_file_with_only_invalid_entities_registers_nothing(admin_signed_in, git_repo):
    repository = git_repo("broken")
    repository.commit({"catalog-info.yaml": BROKEN})
    response = admin_signed_in.post(URL, {"target": repository.url, "action": "register"})
    assert "No valid entities in" in form_errors(response)
    assert "<code>spec.type</code>" in response.content.decode()
    assert not Location.objects.exists()


@pytest.mark.parametrize(
    "target",
    [
        "https://127.0.0.1/org/repo.git",
        "https://localhost/org/repo/blob/main/catalog-info.yaml",
        "https://169.254.169.254/latest/meta-data.git",
        "ssh://git@10.0.0.5/org/repo.git",
        "https://[::1]/org/repo.git",
    ],
)
def test_internal_addresses_are_refused(signed_in, target):
    response = signed_in.post(URL, {"target": target, "action": "register"})
    assert "non-public address" in form_errors(response), form_errors(response)
    assert not Location.objects.exists()


def test_file_locations_are_refused_unless_allowed(admin_signed_in, write_file, settings):
    path = write_file("catalog-info.yaml", component("web"))
    response = admin_signed_in.post(URL, {"target": str(path), "action": "preview"})
    assert "is not a URL" in form_errors(response)
    settings.API_LOCATION_TYPES = ["url", "file"]
    response = admin_signed_in.post(URL, {"target": str(path), "action": "preview"})
    assert form_errors(response) == "" and "1 entity found" in response.content.decode()


def test_local_git_is_refused_when_the_policy_forbids_it(signed_in, repo, settings):
    from catalog import config

    settings.CATALOG = {**settings.CATALOG, "ALLOW_LOCAL_GIT": False}
    config.catalog_settings.cache_clear()
    response = signed_in.post(URL, {"target": repo.url, "action": "register"})
    assert "local git repositories are not allowed" in form_errors(response)
    assert not Location.objects.exists()


def test_post_without_csrf_token_is_refused(alice, repo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(URL, {"target": repo.url, "action": "register"}).status_code == 403
    assert not Location.objects.exists()


def test_api_dry_run_reads_through_the_same_service(repo, admin_user):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(admin_user)
    body = api.post("/api/catalog/locations?dryRun=true", {"type": "url", "target": repo.url}, format="json").json()
    assert [entity["metadata"]["name"] for entity in body["entities"]][1:] == ["web", "billing"]
    assert body["exists"] is False and not Location.objects.exists()
