"""The ldapOrg provider against a real slapd: 2,000 users and 300 nested groups, read as the catalog reads them."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import time

import pytest
from django.apps import apps
from django.db import connection

from benchmarks.catalog.ldap_directory import GROUPS, PEOPLE, organisation, user_dn
from catalog import config
from catalog.lookups.ownership_gaps import ORPHANED_OWNER, gap_page
from catalog.models import Entity, ProviderState, Relation
from catalog.services import refresh_location, register_location, validate_location_spec
from catalog.services.providers import run_provider
from tests.catalog.slapd_server import ROOT_DN, SlapdServer, make_tls_files

SECRET = "Ld4p-bind-S3cret-9f1e2d"
USERS, LEVELS = 2000, (4, 16, 64, 216)


def ldap_config(url: str, *, secret: str = "${LDAP_SECRET}", **extra) -> str:
    """An app-config file's text, the bind secret taken from the environment as operators write it."""
    lines = [
        "catalog:",
        "  providers:",
        "    ldapOrg:",
        "      corp:",
        f"        target: {url}",
        "        bind:",
        f"          dn: {ROOT_DN}",
        f"          secret: {secret}",
        "        users:",
        f"          dn: {PEOPLE}",
        "          options: {filter: '(objectClass=inetOrgPerson)', paged: {pageSize: 500}}",
        "        groups:",
        f"          dn: {GROUPS}",
        "          options: {filter: '(objectClass=groupOfNames)', paged: true}",
    ]
    for key, text in extra.items():
        lines.append(f"        {key}: {text}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def use_config(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("LDAP_SECRET", SECRET)

    def apply(text: str):
        path = tmp_path / "app-config.yaml"
        path.write_text(text)
        settings.GREENROOM_CONFIG_FILE = str(path)
        config.catalog_settings.cache_clear()
        return config.configured_providers().by_id("ldapOrg:corp")

    return apply


@pytest.fixture(scope="module")
def big_directory(tmp_path_factory):
    directory = organisation(USERS, LEVELS)
    server = SlapdServer(tmp_path_factory.mktemp("slapd-big"), password=SECRET)
    server.slapadd(directory.ldif)
    server.start()
    yield server, directory
    server.stop()


@pytest.fixture
def small_directory(tmp_path):
    server = SlapdServer(tmp_path / "slapd-small", password=SECRET)
    server.slapadd(organisation(40, (2, 6)).ldif)
    server.start()
    yield server
    server.stop()


def ldapsearch_memberships(server: SlapdServer) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Each user's groups and each group's child groups, from ldapsearch's own output."""
    output = server.tool(
        "ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-b", GROUPS, "(objectClass=groupOfNames)", "cn", "member"
    )
    users: dict[str, set[str]] = {}
    children: dict[str, set[str]] = {}
    for block in output.strip().split("\n\n"):
        cn = re.search(r"^cn: (.+)$", block, re.MULTILINE).group(1)
        children.setdefault(cn, set())
        for member in re.findall(r"^member: (.+)$", block, re.MULTILINE):
            name = member.split(",")[0].split("=")[1]
            if member.startswith("uid="):
                users.setdefault(name, set()).add(cn)
            else:
                children[cn].add(name)
    return users, children


def names(refs: list[str]) -> set[str]:
    return {ref.split("/")[1] for ref in refs}


@pytest.mark.django_db
def test_refresh_reads_every_user_and_group_with_ldapsearch_memberships(big_directory, use_config):
    server, _ = big_directory
    provider = use_config(ldap_config(server.url))
    started = time.monotonic()
    report = run_provider(provider)
    elapsed = time.monotonic() - started
    print(f"ldapOrg refresh of {USERS} users and {sum(LEVELS)} groups: {elapsed:.2f}s")
    assert report.ok, report.error
    assert elapsed < 30
    assert Entity.objects.filter(kind="User", location__target="ldapOrg:corp").count() == USERS
    assert Entity.objects.filter(kind="Group", location__target="ldapOrg:corp").count() == sum(LEVELS)
    user_groups, group_children = ldapsearch_memberships(server)
    bodies = {entity.name: entity.body for entity in Entity.objects.filter(location__target="ldapOrg:corp")}
    for uid, groups in user_groups.items():
        assert names(bodies[uid]["spec"]["memberOf"]) == groups
    for cn, child_names in group_children.items():
        assert names(bodies[cn]["spec"]["children"]) == child_names
        for child in child_names:
            assert bodies[child]["spec"]["parent"] == f"group:default/{cn}"
    top = bodies["team-0-0000"]
    assert "parent" not in top["spec"] and top["spec"]["type"] == "unknown"
    annotations = bodies["user000001"]["metadata"]["annotations"]
    assert annotations["backstage.io/ldap-dn"] == user_dn("user000001")
    assert annotations["backstage.io/ldap-rdn"] == "user000001"
    assert re.fullmatch(r"[0-9a-f-]{36}", annotations["backstage.io/ldap-uuid"])
    assert bodies["user000001"]["spec"]["profile"] == {"displayName": "User 1", "email": "user000001@example.org"}
    # Backstage's relations are served from the stored relation rows.
    stored = Relation.objects.filter(source_ref="user:default/user000001", type="memberOf")
    assert {row.target_ref for row in stored} == {f"group:default/{group}" for group in user_groups["user000001"]}
    state = ProviderState.objects.get(provider_id="ldapOrg:corp")
    assert (state.added, state.entity_count, state.last_error) == (USERS + sum(LEVELS), USERS + sum(LEVELS), "")
    # Nothing changed in the directory: the second run writes nothing.
    again = run_provider(provider)
    assert (again.added, again.changed, again.removed) == ([], [], [])


@pytest.mark.django_db
def test_wrong_bind_password_names_result_49_and_changes_nothing(big_directory, use_config):
    server, _ = big_directory
    assert run_provider(use_config(ldap_config(server.url))).ok
    before = list(Entity.objects.order_by("ref").values_list("ref", "etag", "is_orphan"))
    report = run_provider(use_config(ldap_config(server.url, secret="not-the-password")))
    assert "result 49 (invalidCredentials)" in report.error
    assert f"bind as {ROOT_DN}" in report.error and "not-the-password" not in report.error
    assert list(Entity.objects.order_by("ref").values_list("ref", "etag", "is_orphan")) == before
    state = ProviderState.objects.get(provider_id="ldapOrg:corp")
    assert state.consecutive_failures == 1 and "invalidCredentials" in state.last_error


@pytest.mark.django_db
def test_wrong_bind_dn_is_refused_the_same_way(small_directory, use_config):
    text = ldap_config(small_directory.url).replace(f"dn: {ROOT_DN}", "dn: cn=nobody,dc=example,dc=org")
    report = run_provider(use_config(text))
    assert "result 49 (invalidCredentials)" in report.error
    assert not Entity.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("strategy", ["keep", "delete"])
def test_deleted_user_is_removed_and_its_component_shows_as_a_gap(small_directory, use_config, tmp_path, strategy):
    text = ldap_config(small_directory.url)
    if strategy == "delete":
        text = text.replace("catalog:\n", "catalog:\n  orphanStrategy: delete\n")
    provider = use_config(text)
    assert run_provider(provider).ok
    component = tmp_path / "svc" / "catalog-info.yaml"
    component.parent.mkdir()
    component.write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: payments}\n"
        "spec: {type: service, lifecycle: production, owner: user:default/user000003}\n"
    )
    location = register_location(validate_location_spec("file", str(component)), trusted=True)
    assert refresh_location(location).ok
    assert gap_page([ORPHANED_OWNER], ["Component"], limit=10).items == []
    small_directory.tool("ldapdelete", user_dn("user000003"))
    report = run_provider(provider)
    assert report.removed == ["user:default/user000003"]
    assert Entity.objects.filter(kind="User", location__target="ldapOrg:corp", is_orphan=False).count() == 39
    items = gap_page(None, ["Component"], limit=10).items
    assert [(item["entityRef"], item["ownerRef"]) for item in items] == [
        ("component:default/payments", "user:default/user000003")
    ]
    expected = ORPHANED_OWNER if strategy == "keep" else "unresolved-owner"
    assert items[0]["gapTypes"] == [expected]


@pytest.mark.django_db
def test_starttls_with_a_self_signed_ca(tmp_path, use_config, monkeypatch):
    tls = make_tls_files(tmp_path / "tls")
    server = SlapdServer(tmp_path / "slapd-tls", password=SECRET, tls=tls)
    server.slapadd(organisation(10, (2,)).ldif)
    server.start()
    try:
        trusted = use_config(ldap_config(server.url, tls=f"{{startTLS: true, ca: {tls.ca}}}"))
        report = run_provider(trusted)
        assert report.ok, report.error
        assert len(report.added) == 12
        monkeypatch.setenv("GREENROOM_CA_BUNDLE", str(tls.ca))
        assert run_provider(use_config(ldap_config(server.url, tls="{startTLS: true}"))).ok
        monkeypatch.delenv("GREENROOM_CA_BUNDLE")
        untrusted = run_provider(use_config(ldap_config(server.url, tls="{startTLS: true}")))
        assert "certificate verify failed" in untrusted.error or "CERTIFICATE_VERIFY_FAILED" in untrusted.error
        assert Entity.objects.filter(location__target="ldapOrg:corp").count() == 12
    finally:
        server.stop()


@pytest.mark.django_db
def test_active_directory_shape_memberof_and_custom_uuid(tmp_path, use_config):
    directory = organisation(30, (2, 6), employee_numbers=True)
    server = SlapdServer(tmp_path / "slapd-ad", password=SECRET, memberof=True)
    server.start()
    try:
        # Over the wire, so the memberof overlay writes memberOf on users and nested groups as AD does;
        # deepest groups first, since the overlay marks only members that exist when a group is added.
        blocks = directory.ldif.split("\n\n")
        people = [block for block in blocks if "objectClass: groupOfNames" not in block]
        groups = [block for block in blocks if "objectClass: groupOfNames" in block]
        server.tool("ldapadd", stdin="\n\n".join([*people, *reversed(groups)]))
        extra = {"vendor": "{uuidAttributeName: employeeNumber}"}
        text = ldap_config(server.url, **extra).replace(
            "paged: true}", "paged: true, attributes: ['*', 'memberOf']}\n          map: {members: null}"
        )
        text = text.replace("paged: {pageSize: 500}}", "paged: {pageSize: 500}, attributes: ['*', 'memberOf']}")
        report = run_provider(use_config(text))
        assert report.ok, report.error
        bodies = {entity.name: entity.body for entity in Entity.objects.filter(location__target="ldapOrg:corp")}
        assert len(bodies) == 38
        user_groups, group_children = ldapsearch_memberships(server)
        for uid, groups in user_groups.items():
            assert names(bodies[uid]["spec"]["memberOf"]) == groups
        for cn, child_names in group_children.items():
            assert names(bodies[cn]["spec"]["children"]) == child_names
        assert bodies["user000007"]["metadata"]["annotations"]["backstage.io/ldap-uuid"] == "emp-000007"
    finally:
        server.stop()


@pytest.mark.django_db(transaction=True)
def test_bind_password_is_never_logged_stored_or_dumped(small_directory, use_config, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    provider = use_config(ldap_config(small_directory.url))
    assert run_provider(provider).ok
    wrong = run_provider(use_config(ldap_config(small_directory.url, secret=SECRET + "x")))
    assert "invalidCredentials" in wrong.error
    assert repr(provider).count(SECRET) == 0
    captured = capfd.readouterr()
    assert SECRET not in caplog.text and SECRET not in captured.out and SECRET not in captured.err
    state = ProviderState.objects.get(provider_id="ldapOrg:corp")
    assert SECRET not in " ".join(str(value) for value in vars(state).values())
    for model in apps.get_models():
        for row in model.objects.values_list():
            assert SECRET not in str(row), model
    if connection.vendor == "postgresql" and shutil.which("pg_dump"):
        db = connection.settings_dict
        dump = subprocess.run(
            ["pg_dump", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"], db["NAME"]],
            capture_output=True,
            text=True,
            check=True,
            env={"PGPASSWORD": db["PASSWORD"] or "", "PATH": "/usr/bin:/bin"},
        )
        assert "ldapOrg:corp" in dump.stdout and SECRET not in dump.stdout
