"""Reading docs in the portal, the Docs index, the README fallback, permissions and the API."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog.services import refresh_location, register_location, validate_location_spec
from techdocs.models import DocBuild, DocSite
from techdocs.services import check_entity_docs

pytestmark = pytest.mark.django_db
DOCS = "/docs/default/component/documented-component/"


@pytest.fixture
def built(docs_source, register):
    entity = register(docs_source())
    check_entity_docs(entity.ref)
    return entity


def test_docs_page_shows_content_nav_and_toc(client, alice_user, built):
    client.force_login(alice_user)
    response = client.get(DOCS)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="motor-controller">Motor controller' in body
    assert f'href="{DOCS}sub-page/"' in body  # in-page link and nav entry
    assert 'href="#assist-levels"' in body  # table of contents
    assert "<table>" in body
    sub = client.get(f"{DOCS}sub-page/")
    assert sub.status_code == 200 and "Wiring the controller" in sub.content.decode()


def test_unknown_page_and_traversal_are_404(client, alice_user, built):
    client.force_login(alice_user)
    assert client.get(f"{DOCS}nope/").status_code == 404
    assert client.get(f"{DOCS}../../../etc/passwd").status_code == 404


def test_anonymous_readers_are_sent_to_sign_in(client, built):
    assert client.get(DOCS).status_code == 302


def test_docs_tab_shows_the_home_page(client, alice_user, built):
    client.force_login(alice_user)
    response = client.get("/catalog/component/default/documented-component/docs/")
    assert response.status_code == 200
    assert "Assist levels" in response.content.decode()


def test_about_card_links_to_the_docs(client, alice_user, built):
    client.force_login(alice_user)
    assert f'href="{DOCS}"' in client.get("/catalog/component/default/documented-component/").content.decode()


def test_readme_is_shown_without_techdocs(client, alice_user, docs_source, register):
    root = docs_source(
        {"README.md": "# Plain readme\n\n<script>alert(1)</script>[x](javascript:alert(1))\n"}, name="plain", ref=""
    )
    register(root)
    client.force_login(alice_user)
    body = client.get("/catalog/component/default/plain/docs/").content.decode()
    assert "Plain readme" in body
    assert "alert(1)</script>" not in body and "javascript:" not in body


def test_a_readme_documents_only_the_software_of_the_descriptor_beside_it(client, alice_user, docs_source, register):
    root = docs_source({"README.md": "# The repository's readme\n"}, name="plain", ref="")
    (root / "org.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: fleet}\nspec: {type: team, children: []}\n"
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: stray}\n"
        "spec: {type: service, lifecycle: production, owner: fleet}\n"
    )
    register(root)
    location = register_location(validate_location_spec("file", str(root / "org.yaml")), trusted=True)
    refresh_location(location)
    client.force_login(alice_user)
    assert "The repository" in client.get("/catalog/component/default/plain/docs/").content.decode()
    # The group in the same catalog-info.yaml, and everything read from org.yaml, are not what it documents.
    for page in (
        "/catalog/group/default/team-a/",
        "/catalog/group/default/fleet/",
        "/catalog/component/default/stray/",
    ):
        body = client.get(page).content.decode()
        assert client.get(page).status_code == 200
        assert f'href="{page}docs/"' not in body, page
        assert client.get(f"{page}docs/").status_code == 404, page


def test_asset_is_served_with_a_strict_policy_and_html_is_not(client, alice_user, docs_source, register):
    entity = register(
        docs_source(
            {"docs/index.md": "![logo](logo.svg)\n", "docs/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"}
        )
    )
    check_entity_docs(entity.ref)
    client.force_login(alice_user)
    response = client.get("/docs-assets/default/component/documented-component/logo.svg")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; style-src 'self'; sandbox"
    assert client.get("/docs-assets/default/component/documented-component/index.html").status_code == 404


def test_owner_may_rebuild_and_others_may_not(client, alice_user, bob_user, built, django_capture_on_commit_callbacks):
    url = "/docs-rebuild/default/component/documented-component/"
    client.force_login(bob_user)
    assert client.post(url).status_code == 403
    assert DocBuild.objects.count() == 1
    client.force_login(alice_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert DocBuild.objects.count() == 2
    from portal.models import AuditEvent

    assert AuditEvent.objects.filter(action="techdocs.rebuild").count() == 1


def test_index_lists_documented_entities_with_constant_queries(client, alice_user, docs_source, register):
    register(docs_source())
    client.force_login(alice_user)
    client.get("/docs/")
    with CaptureQueriesContext(connection) as one:
        body = client.get("/docs/").content.decode()
    assert "Documented Component" in body and '<bdi><a href="/catalog/group/default/team-a/">team-a</a></bdi>' in body
    for index in range(3):
        register(docs_source(name=f"more-{index}"))
    with CaptureQueriesContext(connection) as four:
        body = client.get("/docs/?q=more").content.decode()
    assert body.count("more-") >= 3
    assert len(four.captured_queries) == len(one.captured_queries)


def test_metadata_endpoints(built):
    from django.contrib.auth import get_user_model

    api = APIClient()
    api.force_authenticate(get_user_model().objects.create_user("reader"))
    techdocs = api.get("/api/techdocs/metadata/techdocs/default/component/documented-component").json()
    assert techdocs["site_name"] == "Motor Controller Handbook" and techdocs["site_description"] == "None"
    entity = api.get("/api/techdocs/metadata/entity/default/component/documented-component").json()
    assert entity["metadata"]["name"] == "documented-component"
    assert entity["locationMetadata"]["type"] == "dir"
    missing = api.get("/api/techdocs/metadata/techdocs/default/component/nothing")
    assert missing.status_code == 404 and missing.json()["error"]["name"] == "NotFoundError"


def _tar(members: dict[str, bytes], symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        if symlink:
            info = tarfile.TarInfo("evil")
            info.type = tarfile.SYMTYPE
            info.linkname = symlink
            archive.addfile(info)
    return buffer.getvalue()


SITE = {
    "index.html": b'<html><body><article class="md-content__inner md-typeset">'
    b'<h1 id="ci">From CI</h1></article></body></html>',
    "techdocs_metadata.json": json.dumps({"site_name": "CI site", "site_description": "None"}).encode(),
}


@pytest.fixture
def token_api(alice_user):
    from portal.services.tokens import issue_token

    _, secret = issue_token(alice_user, "ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def _publish(client, body: bytes):
    return client.generic(
        "POST", "/api/techdocs/publish/default/component/documented-component", body, content_type="application/gzip"
    )


def test_upload_publishes_a_site(token_api, docs_source, register, client, alice_user):
    register(docs_source())
    response = _publish(token_api, _tar(SITE))
    assert response.status_code == 201, response.content
    assert response.json()["metadata"]["site_name"] == "CI site"
    client.force_login(alice_user)
    assert "From CI" in client.get(DOCS).content.decode()


@pytest.mark.parametrize(
    "body",
    [
        _tar({**SITE, "../escape.html": b"x"}),
        _tar({**SITE, "/abs.html": b"x"}),
        _tar(SITE, symlink="/etc/passwd"),
        b"not an archive",
    ],
)
def test_hostile_uploads_are_refused(token_api, docs_source, register, body):
    register(docs_source())
    response = _publish(token_api, body)
    assert response.status_code == 400
    assert response.json()["error"]["name"] == "InputError"
    assert DocSite.objects.get().current_build_id is None


def test_zip_symlink_and_oversize_are_refused(token_api, docs_source, register, settings):
    register(docs_source())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("index.html")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    assert _publish(token_api, buffer.getvalue()).status_code == 400
    settings.TECHDOCS = {**settings.TECHDOCS, "MAX_UPLOAD_BYTES": 10}
    assert _publish(token_api, _tar(SITE)).status_code == 413


def test_upload_needs_an_owner(docs_source, register, bob_user):
    register(docs_source())
    client = APIClient()
    client.force_authenticate(bob_user)
    response = _publish(client, _tar(SITE))
    assert response.status_code == 403
    assert response.json()["error"]["name"] == "NotAllowedError"
