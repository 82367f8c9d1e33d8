"""The Soundcheck API: results, definitions, fact submission with permissions and bad input."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from portal.services.tokens import issue_token
from soundcheck.models import Fact
from soundcheck.services.evaluations import evaluate_all

from .conftest import descriptor, make_check, make_track

pytestmark = pytest.mark.django_db

BASE = "/api/soundcheck"
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


@pytest.fixture
def catalog(make_catalog):
    make_catalog(ORG, descriptor("shop"), descriptor("billing", owner="team-b"))
    coverage = make_check("coverage", {"fact": "ci.coverage", ">=": 80})
    tests = make_check("tests", {"fact": "ci.tests_passed", "equals": True})
    make_track("quality", [[tests], [coverage]], {"kind": ["component"]})
    evaluate_all()


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, 'ci')[1]}")
    return client


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", password="bob-password-1")


@pytest.fixture
def admin(django_user_model, settings):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("pat", password="pat-password-1")
    user.groups.add(Group.objects.create(name=settings.PLATFORM_ADMIN_GROUP))
    return user


def test_entity_results(catalog, alice, django_assert_num_queries):
    client = token_client(alice)
    client.get(f"{BASE}/checks")  # the token is checked (and its last use stamped); reuses cost no query
    with django_assert_num_queries(3):
        body = client.get(f"{BASE}/entities/Component/default/shop").json()
    assert body["entityRef"] == SHOP
    assert [(check["key"], check["state"]) for check in body["checks"]] == [("coverage", "failed"), ("tests", "failed")]
    assert body["checks"][0]["message"] == "fact ci.coverage was never collected"
    assert body["tracks"][0]["key"] == "quality" and body["tracks"][0]["level"] == 0


def test_owner_results(catalog, alice):
    body = token_client(alice).get(f"{BASE}/owners/group/default/team-a").json()
    assert body["tracks"] == [{"key": "quality", "levels": {"0": 1}}]
    assert body["entities"] == [{"entityRef": SHOP, "tracks": {"quality": 0}}]


def test_check_results_are_paged_and_filtered(catalog, alice):
    client = token_client(alice)
    body = client.get(f"{BASE}/checks/coverage/results?pageSize=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    assert client.get(f"{BASE}/checks/coverage/results?state=passed").json()["count"] == 0
    response = client.get(f"{BASE}/checks/coverage/results?state=green")
    assert response.status_code == 400 and "state: expected passed" in response.json()["error"]["message"]
    assert client.get(f"{BASE}/checks/nope/results").status_code == 404


@pytest.mark.parametrize("rows", [2, 4])
def test_check_results_query_count_is_fixed(make_catalog, alice, rows, django_assert_num_queries):
    make_catalog(*(descriptor(f"s{index}") for index in range(rows)))
    make_track("t", [[make_check("c", {"fact": "x", "exists": True})]], {"kind": ["component"]})
    evaluate_all()
    client = token_client(alice)
    client.get(f"{BASE}/checks")
    with django_assert_num_queries(4):
        assert client.get(f"{BASE}/checks/c/results").json()["count"] == rows


def test_definitions(catalog, alice):
    client = token_client(alice)
    assert [item["key"] for item in client.get(f"{BASE}/checks").json()["items"]] == ["coverage", "tests"]
    track = client.get(f"{BASE}/tracks").json()["items"][0]
    assert [level["checks"] for level in track["levels"]] == [["tests"], ["coverage"]]


def test_reads_need_a_user_unless_anonymous_read(catalog, client, settings):
    settings.API_ANONYMOUS_READ = False
    assert APIClient().get(f"{BASE}/checks").status_code == 401
    settings.API_ANONYMOUS_READ = True
    assert APIClient().get(f"{BASE}/checks").status_code == 200


def test_an_owner_pushes_facts_and_the_entity_is_re_evaluated(catalog, alice):
    response = token_client(alice).post(
        f"{BASE}/facts",
        {"entityRef": "component:shop", "facts": {"ci.tests_passed": True, "ci.coverage": 91}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert Fact.objects.get(entity_ref=SHOP, name="ci.coverage").collector == "api"
    results = token_client(alice).get(f"{BASE}/entities/component/default/shop").json()
    assert results["tracks"][0]["level"] == 2


def test_only_owners_and_admins_push_facts(catalog, alice, bob, admin):
    payload = {"entityRef": "component:default/billing", "facts": {"ci.coverage": 50}}
    response = token_client(alice).post(f"{BASE}/facts", payload, format="json")
    assert response.status_code == 403
    assert (
        response.json()["error"]["message"]
        == "only the owners of component:default/billing and platform admins may push its facts"
    )
    assert token_client(bob).post(f"{BASE}/facts", payload, format="json").status_code == 403
    assert not Fact.objects.filter(entity_ref="component:default/billing", name="ci.coverage").exists()
    assert token_client(admin).post(f"{BASE}/facts", payload, format="json").status_code == 200


def test_facts_for_an_unknown_entity_need_a_platform_admin(catalog, alice, admin):
    payload = {"entityRef": "component:default/future", "facts": {"ci.coverage": 50}}
    assert token_client(alice).post(f"{BASE}/facts", payload, format="json").status_code == 403
    assert token_client(admin).post(f"{BASE}/facts", payload, format="json").status_code == 200
    assert Fact.objects.filter(entity_ref="component:default/future").count() == 1


def test_writes_need_a_token(catalog):
    response = APIClient().post(f"{BASE}/facts", {"entityRef": SHOP, "facts": {"a": 1}}, format="json")
    assert response.status_code == 401
    assert not Fact.objects.filter(name="a").exists()


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"facts": {"a": 1}}, "entityRef: required"),
        ({"entityRef": "component:", "facts": {"a": 1}}, "entityRef: "),
        ({"entityRef": SHOP, "facts": []}, "facts: expected a non-empty object"),
        ({"entityRef": SHOP, "facts": {"bad name": 1}}, "facts.bad name: fact name 'bad name'"),
        ({"entityRef": SHOP, "facts": {"big": "x" * 70000}}, "facts.big: fact big: value is 70002 bytes"),
        ({"entityRef": SHOP, "facts": {f"f{index}": 1 for index in range(201)}}, "facts: at most 200 facts"),
        (["not", "an", "object"], "expected a JSON object"),
    ],
)
def test_refuses_bad_fact_payloads(catalog, alice, payload, message):
    response = token_client(alice).post(f"{BASE}/facts", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)
    assert not Fact.objects.filter(collector="api").exists()


JUNIT = b"""<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="unit" tests="4">
    <testcase name="a"/><testcase name="b"/>
    <testcase name="c"><skipped/></testcase>
    <testcase name="d"><failure message="boom"/></testcase>
  </testsuite>
</testsuites>"""


def test_junit_upload_as_raw_body(catalog, alice):
    response = token_client(alice).post(f"{BASE}/facts/junit?entityRef={SHOP}", JUNIT, content_type="application/xml")
    assert response.status_code == 200, response.json()
    assert response.json()["facts"] == {
        "ci.tests_run": 3, "ci.failures": 1, "ci.errors": 0, "ci.skipped": 1, "ci.tests_passed": False,
    }  # fmt: skip


def test_junit_upload_as_multipart(catalog, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    passing = JUNIT.replace(b'<failure message="boom"/>', b"")
    response = token_client(alice).post(
        f"{BASE}/facts/junit?entityRef={SHOP}", {"file": SimpleUploadedFile("junit.xml", passing)}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    assert Fact.objects.get(entity_ref=SHOP, name="ci.tests_passed").value is True


def test_junit_upload_needs_a_file_field(catalog, alice):
    response = token_client(alice).post(f"{BASE}/facts/junit?entityRef={SHOP}", {"other": "x"}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("file: send the report")


def test_junit_upload_by_a_non_owner_is_refused_before_parsing(catalog, bob):
    response = token_client(bob).post(
        f"{BASE}/facts/junit?entityRef={SHOP}", b"not xml", content_type="application/xml"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "content_type", "coverage"),
    [
        (
            b'<?xml version="1.0"?><coverage line-rate="0.8534" branch-rate="0.5"><packages/></coverage>',
            "application/xml",
            85.34,
        ),
        (b"72.5", "text/plain", 72.5),
        (b"64%", "text/plain", 64.0),
    ],
)
def test_coverage_upload(catalog, alice, body, content_type, coverage):
    response = token_client(alice).post(f"{BASE}/facts/coverage?entityRef={SHOP}", body, content_type=content_type)
    assert response.status_code == 200, response.json()
    assert Fact.objects.get(entity_ref=SHOP, name="ci.coverage").value == coverage


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"120", "coverage: coverage must be between 0 and 100"),
        (b"lots", "coverage: expected a number"),
        (b'<coverage line-rate="1.5"/>', "Cobertura report: line-rate must be between 0 and 1"),
        (b"<report/>", "Cobertura report: expected <coverage line-rate=...>"),
    ],
)
def test_refuses_bad_coverage(catalog, alice, body, message):
    response = token_client(alice).post(f"{BASE}/facts/coverage?entityRef={SHOP}", body, content_type="text/plain")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(message)
    assert not Fact.objects.filter(name="ci.coverage").exists()


def test_schema_documents_the_endpoints(catalog, admin):
    client = APIClient()
    client.force_authenticate(admin)
    response = client.get("/api/schema/")
    if response.status_code == 404:
        from drf_spectacular.generators import SchemaGenerator

        paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    else:
        import yaml

        paths = yaml.safe_load(response.content)["paths"]
    for path in ("/api/soundcheck/facts", "/api/soundcheck/facts/junit", "/api/soundcheck/checks/{key}/results"):
        assert path in paths
