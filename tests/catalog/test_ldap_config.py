"""Reading catalog.providers.ldapOrg: Backstage's shape, and refusals that name the key path."""

from __future__ import annotations

import sys
import uuid

import pytest

from catalog.providers.ldap_config import parse_ldap_entry
from catalog.providers.ldap_entities import normalise_dn, uuid_text
from catalog.providers.loading import build_providers

GOOD = {
    "target": "ldaps://ds.example.net",
    "bind": {"dn": "uid=robot,dc=example,dc=net", "secret": "s3cret-value"},
    "users": [{"dn": "ou=people,dc=example,dc=net", "options": {"filter": "objectClass=person", "paged": True}}],
    "groups": {"dn": "ou=groups,dc=example,dc=net", "map": {"members": None, "type": "businessCategory"}},
    "schedule": {"frequency": {"minutes": 30}, "timeout": "PT3M"},
}


def test_reads_backstage_shape_with_defaults():
    settings = parse_ldap_entry("corp", GOOD, path="catalog.providers.ldapOrg.corp")
    assert settings.provider_id == "ldapOrg:corp"
    [users] = settings.users
    assert (users.scope, users.filter, users.attributes, users.page_size) == (
        "one",
        "(objectClass=person)",
        None,  # the mapped attributes only (LdapClient.search)
        500,
    )
    assert users.map["name"] == "uid" and users.map["memberOf"] == "memberOf"
    [groups] = settings.groups
    assert groups.map["members"] is None and groups.map["type"] == "businessCategory" and groups.map["rdn"] == "cn"
    assert (settings.schedule.frequency_seconds, settings.schedule.timeout_seconds) == (1800, 180)
    assert "s3cret-value" not in repr(settings)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"target": "http://ds"},
            "p.target: must be an ldap:// or ldaps:// URL, not 'http://ds'",
        ),
        (
            {"bind": {"dn": "x"}},
            "p.bind.secret: must be a string (is its environment variable set?)",
        ),
        (
            {"users": {"dn": "ou=p", "options": {"scope": "deep"}}},
            "p.users.options.scope: must be one of base, one, sub, not 'deep'",
        ),
        (
            {"users": [{"dn": "ou=p", "map": {"nickname": "cn"}}]},
            "p.users[0].map: unknown key 'nickname';"
            " expected one of rdn, name, description, displayName, email, picture, memberOf",
        ),
        (
            {"users": {"dn": "ou=p", "map": {"name": None}}},
            "p.users.map.name: cannot be switched off",
        ),
        (
            {"users": {"dn": "ou=p", "options": {"paged": {"pageSize": 0}}}},
            "p.users.options.paged.pageSize: must be a positive integer",
        ),
        (
            {"tls": {"startTLS": True}},
            "p.tls.startTLS: an ldaps:// target is already encrypted; use ldap:// with startTLS",
        ),
        (
            {"tls": {"keys": "/k.pem"}},
            "p.tls: a client key (keys) and certificate (certs) are given together",
        ),
        ({"users": None, "groups": None}, "p: give users, groups or both"),
        (
            {"schedule": {"frequency": "often"}},
            "p.schedule.frequency: 'often' is not an ISO 8601 duration such as PT30M",
        ),
        (
            {"binds": {}},
            "p: unknown key 'binds'; expected one of target, bind, tls, users, groups, vendor, schedule",
        ),
    ],
)
def test_refuses_bad_values_naming_the_key_path(change, message):
    with pytest.raises(ValueError) as refused:
        parse_ldap_entry("corp", {**GOOD, **change}, path="p")
    assert str(refused.value) == message
    assert "s3cret-value" not in str(refused.value)


def test_a_bad_entry_is_a_warning_not_a_crash():
    # The factory refuses the key's value as a whole; other keys' providers are unaffected.
    built = build_providers({"ldapOrg": {"corp": {**GOOD, "target": "nowhere"}, "ok": GOOD}})
    assert built.providers == ()
    assert built.problems == (
        "catalog.providers.ldapOrg.corp.target: must be an ldap:// or ldaps:// URL, not 'nowhere'",
    )


def test_active_directory_guid_and_dn_spelling():
    guid = uuid.UUID("6f9619ff-8b86-d011-b42d-00c04fc964ff")
    assert uuid_text(guid.bytes_le) == str(guid)
    assert uuid_text(b"emp-000007") == "emp-000007"
    assert normalise_dn("CN=Team A, OU=Groups,DC=example") == "cn=team a,ou=groups,dc=example"


def test_without_python_ldap_the_provider_is_left_out_naming_what_to_install(monkeypatch):
    # python-ldap is an extra built from source: a machine without libldap's headers runs without it.
    monkeypatch.setitem(sys.modules, "ldap", None)  # what a missing package looks like to import
    for name in [name for name in sys.modules if name.startswith("catalog.providers.ldap_")]:
        monkeypatch.delitem(sys.modules, name)

    built = build_providers({"ldapOrg": {"corp": GOOD}, "github": {}})

    assert built.providers == ()
    [problem] = [problem for problem in built.problems if "ldapOrg" in problem]
    assert problem.startswith("catalog.providers.ldapOrg: the ldapOrg provider is not available")
    assert "python-ldap is not installed: install libldap2-dev, libsasl2-dev and a C compiler" in problem
