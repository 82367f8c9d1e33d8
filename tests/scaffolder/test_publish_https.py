"""Publishing to a git host over HTTPS whose certificate comes from a private CA."""

from __future__ import annotations

import pytest

from scaffolder.actions.builtin.gitpush import Author, Remote, push_new_repository
from scaffolder.actions.context import ActionContext, ActionError
from scaffolder.workspace import Workspace
from tests.conftest import git

TOKEN = "publish-token-0e5d"


@pytest.fixture
def host(git_https_server, settings, tmp_path):
    server = git_https_server(basic={("x-access-token", TOKEN)})
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(server.root / "repos" / "acme" / "new.git"))
    settings.CATALOG = {**settings.CATALOG, "ALLOW_PRIVATE_ADDRESSES": True}
    return server


def publish(tmp_path, host) -> str:
    source = tmp_path / "skeleton"
    source.mkdir(exist_ok=True)
    (source / "README.md").write_text("# new\n")
    ctx = ActionContext("task-1", "publish", "Publish", {}, Workspace(tmp_path), print)
    remote = Remote(host.url("acme/new.git"), None, "github", TOKEN)
    return push_new_repository(ctx, source, remote, "main", Author("Scaffolder", "s@greenroom.invalid", "init"))


def test_the_push_trusts_the_ca_bundle(host, settings, tmp_path):
    settings.CATALOG = {**settings.CATALOG, "CA_BUNDLE": str(host.certificates.ca_file)}
    commit = publish(tmp_path, host)
    assert git(tmp_path, "--git-dir", str(host.root / "repos" / "acme" / "new.git"), "rev-parse", "main") == commit


def test_without_it_the_error_says_to_set_it(host, tmp_path):
    with pytest.raises(ActionError) as raised:
        publish(tmp_path, host)
    assert str(raised.value) == (
        f"Could not publish to {host.url('acme/new.git')}: certificate not trusted for {host.netloc}; "
        "set GREENROOM_CA_BUNDLE to a PEM file holding its CA"
    )
