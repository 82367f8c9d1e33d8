"""Git: safe transports only, no option injection, nothing a repository brings is run, bounded clones."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from catalog.formats.readers import ReaderPolicy, read_location
from catalog.formats.readers.gitcommand import git_config_args, git_environment
from catalog.formats.readers.targets import parse_git_target, validate_branch


@pytest.mark.parametrize(
    "target",
    [
        "ext::sh -c touch% /tmp/pwned",
        "fd::17",
        "-u/tmp/x https://example.com/a/b",
        "--upload-pack=touch /tmp/pwned",
        "git://example.com/a/b.git",
        "http://example.com/a/b.git",
        "https://user:pass@example.com/a/b.git",
        "ssh://-oProxyCommand=touch%20x/a/b",
        "-oProxyCommand=x:repo",
        "host:-repo",
        "https://example.com/a/b.git#--orphan",
        "https://example.com/a/b.git#main:../../etc/passwd",
        "https://example.com/a/b.git#main:.git/config",
    ],
)
def test_unsafe_git_targets_are_refused(target):
    with pytest.raises(ValueError):
        parse_git_target(target)


@pytest.mark.parametrize("branch", ["-f", "--force", "a..b", "refs/@{0}", "x.lock", "a b"])
def test_branches_that_git_could_read_as_options_or_refspecs_are_refused(branch):
    with pytest.raises(ValueError):
        validate_branch(branch)


def test_git_runs_with_hooks_fsmonitor_and_credential_helpers_off(tmp_path):
    args = " ".join(git_config_args(ReaderPolicy(cache_dir=tmp_path)))
    for setting in ("core.hooksPath=/dev/null", "core.fsmonitor=false", "credential.helper=", "protocol.allow=never"):
        assert setting in args
    environment = git_environment(tmp_path, ReaderPolicy(cache_dir=tmp_path, allow_local_git=False))
    assert environment["GIT_CONFIG_NOSYSTEM"] == "1"
    assert environment["GIT_ALLOW_PROTOCOL"] == "https:ssh"
    assert "SECRET_KEY" not in environment and "DATABASE_URL" not in environment


def _hostile_repo(tmp_path: Path, marker: Path) -> Path:
    repo = tmp_path / "hostile"
    repo.mkdir()
    run = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*run, "init", "-q", "-b", "main"], cwd=repo, check=True)
    (repo / "catalog-info.yaml").write_text("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: g}\n")
    script = f"#!/bin/sh\ntouch {marker}\n"
    for hook in ("post-checkout", "post-merge", "reference-transaction", "pre-auto-gc", "fsmonitor-watchman"):
        (repo / ".git" / "hooks" / hook).write_text(script)
        (repo / ".git" / "hooks" / hook).chmod(0o755)
    (repo / ".git" / "config").write_text(
        (repo / ".git" / "config").read_text() + f"[core]\n\tfsmonitor = {repo}/.git/hooks/fsmonitor-watchman\n"
    )
    subprocess.run([*run, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*run, "commit", "-q", "-m", "x"], cwd=repo, check=True)
    marker.unlink(missing_ok=True)  # the commit above ran the hooks in the test's own checkout
    return repo


def test_reading_a_repository_runs_none_of_its_hooks_or_configuration(tmp_path):
    marker = tmp_path / "ran"
    repo = _hostile_repo(tmp_path, marker)
    policy = ReaderPolicy(cache_dir=tmp_path / "cache")
    result = read_location("url", f"file://{repo}#main:catalog-info.yaml", policy)
    assert result.errors == []
    assert [file.path for file in result.files] == ["catalog-info.yaml"]
    assert not marker.exists()
    mirror = next((tmp_path / "cache").rglob("shallow"), None)
    assert mirror is not None, "the mirror is a shallow clone"


def test_local_git_is_refused_when_switched_off(tmp_path):
    marker = tmp_path / "ran"
    repo = _hostile_repo(tmp_path, marker)
    policy = ReaderPolicy(cache_dir=tmp_path / "cache", allow_local_git=False)
    result = read_location("url", f"file://{repo}#main:catalog-info.yaml", policy)
    assert result.files == []
    assert "local git repositories are not allowed" in result.errors[0].message


def test_a_git_command_past_its_timeout_is_killed(tmp_path, monkeypatch):
    from catalog.formats.readers import gitcommand

    policy = ReaderPolicy(cache_dir=tmp_path, git_timeout_seconds=1)
    monkeypatch.setattr(gitcommand, "git_config_args", lambda policy, pinned=(): ["-c", "alias.slow=!sleep 30"])
    with pytest.raises(gitcommand.GitTimeout, match="timed out after 1s"):
        gitcommand.run_git(["slow"], policy=policy, home=tmp_path)
