"""The forge API client over HTTPS with a private CA: trusted through GREENROOM_CA_BUNDLE only."""

from __future__ import annotations

import pytest

from scaffolder.actions.context import ActionError
from scaffolder.forge_api import github_client

TOKEN = "forge-api-token-3b8e"


@pytest.fixture
def forge(git_https_server, settings):
    server = git_https_server(bearer={TOKEN})
    server.static["repos/acme/shop"] = b'{"full_name": "acme/shop"}'
    settings.CATALOG = {**settings.CATALOG, "ALLOW_PRIVATE_ADDRESSES": True}
    return server


def test_the_ca_bundle_is_trusted(forge, settings):
    settings.CATALOG = {**settings.CATALOG, "CA_BUNDLE": str(forge.certificates.ca_file)}
    client = github_client(forge.url("static"), forge.netloc, TOKEN)
    assert client.request("GET", "/repos/acme/shop") == {"full_name": "acme/shop"}
    assert forge.authorizations() == [f"Bearer {TOKEN}"]


def test_without_it_the_error_says_to_set_it(forge):
    client = github_client(forge.url("static"), forge.netloc, TOKEN)
    with pytest.raises(ActionError) as raised:
        client.request("GET", "/repos/acme/shop")
    assert str(raised.value) == (
        f"could not reach the {forge.netloc} API: certificate not trusted for {forge.netloc}; "
        "set GREENROOM_CA_BUNDLE to a PEM file holding its CA"
    )
    assert forge.seen == []


def test_an_unreadable_bundle_is_named(forge, settings, tmp_path):
    settings.CATALOG = {**settings.CATALOG, "CA_BUNDLE": str(tmp_path / "missing.pem")}
    client = github_client(forge.url("static"), forge.netloc, TOKEN)
    with pytest.raises(ActionError, match=r"cannot read GREENROOM_CA_BUNDLE .*missing\.pem: No such file or directory"):
        client.request("GET", "/repos/acme/shop")
