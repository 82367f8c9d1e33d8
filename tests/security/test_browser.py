"""Browser: nothing a repository, a template or a radar file writes runs as script in the portal.

Templates escape text, ``catalog.formats.safe_urls`` turns only http(s) URLs into links, docs HTML is
sanitised with nh3, and the Content-Security-Policy (``portal.security_headers``) refuses every
script the portal did not serve itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from catalog.formats.safe_urls import location_url, safe_link_url
from portal.security_headers import portal_policy

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [REPO_ROOT / "templates", *REPO_ROOT.glob("*/templates")]
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def _directives(header: str) -> dict[str, str]:
    return {part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2] for part in header.split(";")}


def test_every_page_carries_the_strict_policy(client: Client):
    policy = _directives(client.get("/accounts/login/")["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]


def test_error_pages_and_api_answers_carry_the_policy_too(client: Client):
    assert "script-src 'self'" in client.get("/no-such-page/")["Content-Security-Policy"]
    assert "script-src 'self'" in client.get("/api/catalog/entities")["Content-Security-Policy"]


def test_the_docs_asset_path_keeps_its_own_stricter_policy():
    from techdocs.views import ASSET_POLICY

    assert "sandbox" in ASSET_POLICY
    assert portal_policy() != ASSET_POLICY
    assert ASSET_POLICY.startswith("default-src 'none'")


def test_a_view_that_sets_its_own_policy_keeps_it(rf):
    from django.http import HttpResponse

    from portal.security_headers import SecurityHeadersMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    response = SecurityHeadersMiddleware(view)(rf.get("/docs-assets/x"))
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_api_docs_load_no_script_from_another_origin(client: Client, django_user_model):
    client.force_login(django_user_model.objects.create_user("alice"))
    response = client.get("/api/docs/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "cdn.jsdelivr.net" not in body
    assert not _INLINE_SCRIPT.search(body)
    assert "script-src 'self';" in response["Content-Security-Policy"]


def test_security_headers_are_sent(client: Client):
    response = client.get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_secure_when_https_is_configured(monkeypatch):
    import importlib

    import portal.settings as portal_settings

    monkeypatch.setenv("GREENROOM_HTTPS", "true")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-secret-for-this-test-only-0123456789")
    try:
        reloaded = importlib.reload(portal_settings)
        assert reloaded.SESSION_COOKIE_SECURE is True
        assert reloaded.CSRF_COOKIE_SECURE is True
        assert reloaded.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")
        assert reloaded.SECURE_HSTS_SECONDS > 0
    finally:
        monkeypatch.delenv("GREENROOM_HTTPS")
        monkeypatch.delenv("SECRET_KEY")
        importlib.reload(portal_settings)
    assert portal_settings.SESSION_COOKIE_SECURE is False


def _templates() -> list[Path]:
    return sorted(path for directory in TEMPLATE_DIRS for path in directory.rglob("*.html"))


def test_the_walk_finds_the_templates():
    assert len(_templates()) > 50


@pytest.mark.parametrize("pattern", [_INLINE_SCRIPT, _EVENT_HANDLER], ids=["inline-script", "event-handler"])
def test_no_template_has_inline_script(pattern):
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in _templates()
        for text in [path.read_text(encoding="utf-8")]
        for match in pattern.finditer(text)
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "https:evil.example",
        "file:///etc/passwd",
    ],
)
def test_only_http_links_become_links(url):
    assert safe_link_url(url) == ""
    assert location_url(f"url:{url}") == ""


def test_hostile_entity_text_is_escaped_and_its_links_dropped(client: Client, django_user_model, write_file):
    from catalog.services.locations import refresh_location, register_location, validate_location_spec

    path = write_file(
        "catalog-info.yaml",
        """
        apiVersion: backstage.io/v1alpha1
        kind: Component
        metadata:
          name: hostile
          title: "<script>alert('title')</script>"
          description: "<img src=x onerror=alert(1)>"
          links:
            - url: "javascript:alert(document.cookie)"
              title: click me
          annotations:
            backstage.io/view-url: "javascript:alert(2)"
        spec: {type: service, lifecycle: production, owner: team-a}
        """,
    )
    refresh_location(register_location(validate_location_spec("file", str(path)), trusted=True))
    client.force_login(django_user_model.objects.create_user("alice"))
    body = client.get("/catalog/component/default/hostile/").content.decode()
    assert "hostile" in body
    assert "<script>alert(" not in body
    assert "<img src=x" not in body
    assert 'href="javascript:' not in body.lower()
    assert "&lt;script&gt;" in body or "&lt;img" in body


def test_svg_uploads_in_docs_are_served_without_script(client: Client):
    from techdocs.views import ASSET_POLICY

    policy = _directives(ASSET_POLICY)
    assert policy["default-src"] == "'none'"
    assert "script-src" not in policy
    assert "sandbox" in policy
