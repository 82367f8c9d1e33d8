"""Hostile JUnit uploads: entity expansion, external entities, DTDs, oversize and non-XML are refused with 400."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from catalog.services import refresh_location, register_location, validate_location_spec
from portal.services.tokens import issue_token
from soundcheck.ci_reports import ReportError, parse_junit
from soundcheck.models import Fact

pytestmark = pytest.mark.django_db

URL = "/api/soundcheck/facts/junit?entityRef=component:default/shop"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<testsuite name="&lol4;"><testcase name="a"/></testsuite>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE testsuite [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<testsuite name="x"><testcase name="&secret;"/></testsuite>"""

DTD_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE testsuite SYSTEM "http://attacker.invalid/junit.dtd">
<testsuite name="x"><testcase name="a"/></testsuite>"""


@pytest.fixture
def owner_api(db, write_file, django_user_model) -> APIClient:
    text = (
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: alice}\nspec: {memberOf: [team-a]}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\nspec: {type: team, children: []}\n"
        "---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: shop}\n"
        "spec: {type: service, lifecycle: production, owner: team-a}\n"
    )
    refresh_location(register_location(validate_location_spec("file", str(write_file("org.yaml", text))), trusted=True))
    user = django_user_model.objects.create_user("alice", password="alice-password-1")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'ci')[1]}")
    return client


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (BILLION_LAUGHS, "JUnit report refused: DTDs, entities and external references are not allowed"),
        (EXTERNAL_ENTITY, "JUnit report refused: DTDs, entities and external references are not allowed"),
        (DTD_ONLY, "JUnit report refused: DTDs, entities and external references are not allowed"),
        (b"this is not xml", "JUnit report is not well-formed XML"),
        (b"<testsuite><testcase></testsuite>", "JUnit report is not well-formed XML: mismatched tag"),
        (b"", "JUnit report is empty"),
        (b"<html><body/></html>", "JUnit report: expected <testsuites> or <testsuite> at the root, found <html>"),
    ],
)
def test_hostile_or_broken_reports_are_refused_with_400(owner_api, body, message):
    response = owner_api.post(URL, body, content_type="application/xml")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)
    assert not Fact.objects.filter(name__startswith="ci.").exists()


def test_oversized_reports_are_refused_before_parsing(owner_api, settings):
    settings.SOUNDCHECK = {**settings.SOUNDCHECK, "MAX_UPLOAD_BYTES": 1000}
    body = b"<testsuite>" + b"<testcase name='a'/>" * 100 + b"</testsuite>"
    response = owner_api.post(URL, body, content_type="application/xml")
    assert response.status_code == 413
    assert response.json()["error"]["message"] == "request body is over the 1000 byte limit"
    assert not Fact.objects.exists()


def test_oversized_multipart_files_are_refused(owner_api, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SOUNDCHECK = {**settings.SOUNDCHECK, "MAX_UPLOAD_BYTES": 1000}
    upload = SimpleUploadedFile("junit.xml", b"<testsuite>" + b" " * 2000 + b"</testsuite>")
    response = owner_api.post(URL, {"file": upload}, format="multipart")
    assert response.status_code == 413
    assert not Fact.objects.exists()


def test_parser_refuses_oversize_even_when_called_directly():
    with pytest.raises(ReportError, match="larger than the 10 byte limit"):
        parse_junit(b"<testsuite/>", 10)


def test_counts_from_suite_attributes_when_no_cases_are_listed():
    facts = parse_junit(b'<testsuites><testsuite tests="5" failures="0" errors="1" skipped="2"/></testsuites>', 10_000)
    assert facts == {"ci.tests_run": 3, "ci.failures": 0, "ci.errors": 1, "ci.skipped": 2, "ci.tests_passed": False}


def test_no_tests_is_not_passing():
    assert parse_junit(b"<testsuite/>", 10_000)["ci.tests_passed"] is False


@pytest.mark.parametrize(
    ("attributes", "named"),
    [
        ('tests="1e400"', "tests='1e400'"),
        ('tests="5" failures="NaN"', "failures='NaN'"),
        ('tests="-3"', "tests='-3'"),
        ('tests="5" skipped="2.5"', "skipped='2.5'"),
        ('tests="99999999999999999999"', "tests='99999999999999999999'"),
    ],
)
def test_absurd_suite_counters_are_400_naming_the_attribute(owner_api, attributes, named):
    body = f'<testsuites><testsuite name="s" {attributes}><testcase name="a"/></testsuite></testsuites>'.encode()
    response = owner_api.post(URL, body, content_type="application/xml")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        f"JUnit report: <testsuite {named}> must be a whole number from 0 to 1000000000"
    )
    assert not Fact.objects.filter(name__startswith="ci.").exists()
