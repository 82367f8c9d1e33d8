"""The LDAP client against a real slapd: LDAPS, size limits, failed searches, and the wording of results."""

from __future__ import annotations

import ldap
import pytest

from benchmarks.catalog.ldap_directory import PEOPLE, organisation
from catalog.providers.base import ProviderError
from catalog.providers.ldap_client import LdapClient
from catalog.providers.ldap_config import parse_ldap_entry
from catalog.providers.ldap_results import describe_error, result_name
from tests.catalog.slapd_server import ROOT_DN, SlapdServer, make_tls_files

SECRET = "Cl1ent-bind-S3cret-7a2b"


def settings_for(target: str, **extra):
    value = {
        "target": target,
        "bind": {"dn": ROOT_DN, "secret": SECRET},
        "users": {"dn": PEOPLE, "options": {"filter": "(objectClass=inetOrgPerson)"}},
        "groups": {"dn": PEOPLE, "options": {"filter": "(objectClass=groupOfNames)"}},
        **extra,
    }
    return parse_ldap_entry("corp", value, path="catalog.providers.ldapOrg.corp")


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slapd-ldaps")
    tls = make_tls_files(folder / "tls")
    server = SlapdServer(folder / "slapd", password=SECRET, tls=tls)
    server.slapadd(organisation(25, (2,)).ldif)
    server.start()
    yield server, tls
    server.stop()


def read_users(settings) -> list[str]:
    with LdapClient(settings, timeout_seconds=10) as client:
        vendor = client.vendor()
        return [entry.dn for spec in settings.users for entry in client.search(spec, vendor)]


def test_ldaps_with_a_ca_file_reads_every_user(tls_server):
    server, tls = tls_server
    users = read_users(settings_for(server.ldaps_url, tls={"ca": str(tls.ca)}))
    assert len(users) == 25 and users[0].startswith("uid=user")


def test_ldaps_with_an_untrusted_certificate_names_the_handshake(tls_server):
    server, _ = tls_server
    with pytest.raises(ProviderError) as raised:
        read_users(settings_for(server.ldaps_url))
    message = str(raised.value)
    assert message.startswith(f"cannot connect to {server.ldaps_url}: -1 (serverDown): Can't contact LDAP server")
    assert "the TLS handshake failed (most often: certificate verify failed" in message and SECRET not in message


def test_ldaps_without_verification_when_reject_unauthorized_is_false(tls_server):
    server, _ = tls_server
    assert len(read_users(settings_for(server.ldaps_url, tls={"rejectUnauthorized": False}))) == 25


def test_size_limit_keeps_the_entries_read_up_to_it(tls_server):
    server, _ = tls_server
    settings = settings_for(
        server.url, users={"dn": PEOPLE, "options": {"filter": "(objectClass=inetOrgPerson)", "sizeLimit": 7}}
    )
    assert len(read_users(settings)) == 7


def test_search_of_a_missing_base_names_result_32(tls_server):
    server, _ = tls_server
    settings = settings_for(server.url, users={"dn": "ou=nobody,dc=example,dc=org", "options": {"paged": True}})
    with pytest.raises(ProviderError) as raised:
        read_users(settings)
    assert str(raised.value).startswith(
        f"searching ou=nobody,dc=example,dc=org with (objectClass=*) on {server.url} failed: result 32 (noSuchObject)"
    )


@pytest.mark.parametrize(
    ("error_class", "name"),
    [
        (ldap.INVALID_CREDENTIALS, "invalidCredentials"),
        (ldap.NO_SUCH_OBJECT, "noSuchObject"),
        (ldap.SIZELIMIT_EXCEEDED, "sizeLimitExceeded"),
        (ldap.INSUFFICIENT_ACCESS, "insufficientAccessRights"),
        (ldap.SERVER_DOWN, "serverDown"),
    ],
)
def test_result_names_are_rfc_4511s(error_class, name):
    assert result_name(error_class) == name


def test_describe_error_gives_code_name_and_the_servers_diagnostic():
    bare = ldap.INVALID_CREDENTIALS({"result": 49, "desc": "Invalid credentials", "info": ""})
    assert describe_error(bare) == "49 (invalidCredentials): Invalid credentials"
    diagnostic = ldap.INVALID_CREDENTIALS({"result": 49, "desc": "Invalid credentials", "info": "data 52e, v4563"})
    assert describe_error(diagnostic) == "49 (invalidCredentials): data 52e, v4563"
    down = ldap.SERVER_DOWN({"result": -1, "desc": "Can't contact LDAP server", "info": "(unknown error code)"})
    assert describe_error(down) == "-1 (serverDown): Can't contact LDAP server"
