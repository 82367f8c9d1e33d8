"""Parsing ``url`` targets and the remote checks made before git runs."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.formats.readers import ReaderPolicy, parse_git_target, read_location
from catalog.formats.readers.remotes import RemoteRefused, check_remote
from catalog.formats.readers.targets import file_location_key, resolve_relative_path


def test_parses_github_blob_url():
    target = parse_git_target("https://github.com/acme/shop/blob/main/services/catalog-info.yaml")
    assert (target.clone_url, target.branch, target.path) == (
        "https://github.com/acme/shop.git",
        "main",
        "services/catalog-info.yaml",
    )
    assert target.style == "github"


def test_parses_github_tree_url_with_glob():
    target = parse_git_target("https://github.com/acme/shop/tree/dev/teams/*.yaml")
    assert (target.clone_url, target.branch, target.path) == (
        "https://github.com/acme/shop.git",
        "dev",
        "teams/*.yaml",
    )


def test_parses_gitlab_url_with_subgroups():
    target = parse_git_target("https://gitlab.example.com/acme/platform/shop/-/blob/main/catalog-info.yaml")
    assert (target.clone_url, target.branch, target.path, target.style) == (
        "https://gitlab.example.com/acme/platform/shop.git",
        "main",
        "catalog-info.yaml",
        "gitlab",
    )


def test_parses_gitea_url_and_defaults_the_path():
    target = parse_git_target("https://gitea.example.com/acme/shop/src/branch/main")
    assert (target.clone_url, target.branch, target.path, target.style) == (
        "https://gitea.example.com/acme/shop.git",
        "main",
        "catalog-info.yaml",
        "gitea",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/srv/repos/shop.git", ("/srv/repos/shop.git", None, "catalog-info.yaml", "local")),
        (
            "file:///srv/repos/shop.git#main:services/**/catalog-info.yaml",
            ("file:///srv/repos/shop.git", "main", "services/**/catalog-info.yaml", "file"),
        ),
        (
            "https://git.example.com/shop.git#:x.yaml",
            ("https://git.example.com/shop.git", None, "x.yaml", "https"),
        ),
        (
            "ssh://git@git.example.com:2222/acme/shop.git#feature/x",
            ("ssh://git@git.example.com:2222/acme/shop.git", "feature/x", "catalog-info.yaml", "ssh"),
        ),
        (
            "git@git.example.com:acme/shop.git",
            ("git@git.example.com:acme/shop.git", None, "catalog-info.yaml", "ssh"),
        ),
        (
            "git@git.example.com:/srv/git/shop.git#main",
            ("git@git.example.com:/srv/git/shop.git", "main", "catalog-info.yaml", "ssh"),
        ),
    ],
)
def test_parses_generic_targets(text, expected):
    target = parse_git_target(text)
    assert (target.clone_url, target.branch, target.path, target.transport) == expected


@pytest.mark.parametrize(
    "text",
    [
        "--upload-pack=touch /tmp/pwned",
        "-oProxyCommand=touch /tmp/pwned",
        "ssh://-oProxyCommand=touch/x/y.git",
        "ext::sh -c touch% /tmp/pwned",
        "ext::sh",
        "fd::17",
        "git://example.com/shop.git",
        "http://example.com/shop.git",
        "relative/path.git",
        "https://user:token@example.com/shop.git",
        "/srv/shop.git#-main",
        "/srv/shop.git#--upload-pack=touch:x",
        "/srv/shop.git#ma..in",
        "/srv/shop.git#main:../secret.yaml",
        "/srv/shop.git#main:a/../../secret.yaml",
        "/srv/shop.git#main:.git/config",
        "/srv/shop.git#main:dir/",
        "/srv/shop.git\n#main",
        "https://github.com/acme/shop/blob/main/%2e%2e/%2e%2e/etc/passwd",
        "https://github.com/acme/shop/blob/main/a%2f..%2fb",
        "https://github.com/../shop/blob/main/x.yaml",
    ],
)
def test_refuses_unsafe_targets(text):
    with pytest.raises(ValueError):
        parse_git_target(text)


@given(st.text())
def test_parse_raises_only_value_error(text):
    with contextlib.suppress(ValueError):
        parse_git_target(text)


@given(st.text(alphabet="/#:.-%@[]a2e~^ \\\t*?"))
def test_parse_raises_only_value_error_on_url_punctuation(text):
    for prefix in ("", "https://h/o/r/blob/", "file://", "ssh://", "/srv/r.git#"):
        with contextlib.suppress(ValueError):
            parse_git_target(prefix + text)


def test_generic_file_keys_parse_back_to_the_same_file():
    key = file_location_key("file:///srv/shop.git", "generic", None, "main", "teams/a b/catalog-info.yaml")
    target = parse_git_target(key.removeprefix("url:"))
    assert (target.clone_url, target.branch, target.path) == (
        "file:///srv/shop.git",
        "main",
        "teams/a b/catalog-info.yaml",
    )


def test_web_file_keys_keep_the_web_style():
    key = file_location_key(
        "https://github.com/acme/shop.git", "github", "https://github.com/acme/shop", "main", "a.yaml"
    )
    assert key == "url:https://github.com/acme/shop/blob/main/a.yaml"


def test_resolves_relative_paths_inside_the_repository():
    assert resolve_relative_path("teams/a/catalog-info.yaml", "../b/*.yaml") == "teams/b/*.yaml"


@pytest.mark.parametrize("target", ["../../x.yaml", "%2e%2e/%2e%2e/x.yaml", "./%2E%2E/../x.yaml", "/etc/passwd"])
def test_refuses_relative_paths_leaving_the_repository(target):
    with pytest.raises(ValueError):
        resolve_relative_path("teams/catalog-info.yaml", target)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/acme/shop.git",
        "https://169.254.169.254/latest/meta-data.git",
        "https://[::1]/acme/shop.git",
        "https://[::ffff:127.0.0.1]/acme/shop.git",
        "https://10.1.2.3/acme/shop.git",
        "https://0.0.0.0/acme/shop.git",
        "https://localhost/acme/shop.git",
        "ssh://git@192.168.1.10/acme/shop.git",
        "git@172.16.0.1:acme/shop.git",
        "https://224.0.0.1/acme/shop.git",
    ],
)
def test_refuses_private_addresses_before_running_git(url, tmp_path: Path, monkeypatch):
    def no_git(*args, **kwargs):
        raise AssertionError("git must not run for a refused remote")

    monkeypatch.setattr("catalog.formats.readers.gitcommand.subprocess.Popen", no_git)
    policy = ReaderPolicy(cache_dir=tmp_path / "cache")
    result = read_location("url", url, policy)
    assert result.files == []
    assert len(result.errors) == 1
    assert "non-public address" in result.errors[0].message
    assert url.split("#")[0] in result.errors[0].message or "Refused" in result.errors[0].message
    assert not (tmp_path / "cache").exists()


def test_allows_private_addresses_when_the_policy_says_so(tmp_path: Path):
    policy = ReaderPolicy(cache_dir=tmp_path, allow_private_addresses=True)
    checked = check_remote(parse_git_target("https://127.0.0.1/acme/shop.git"), policy)
    assert checked.pinned_address is None


def test_refuses_hosts_outside_the_allow_list(tmp_path: Path):
    policy = ReaderPolicy(cache_dir=tmp_path, allowed_hosts=("github.com",))
    with pytest.raises(RemoteRefused, match="not in the allowed git hosts"):
        check_remote(parse_git_target("https://evil.example/acme/shop.git"), policy)


def test_refuses_local_repositories_when_the_policy_forbids_them(tmp_path: Path):
    policy = ReaderPolicy(cache_dir=tmp_path / "cache", allow_local_git=False)
    for target in (f"{tmp_path}/repo", f"file://{tmp_path}/repo"):
        result = read_location("url", target, policy)
        assert result.files == []
        assert "local git repositories are not allowed" in result.errors[0].message
    assert not (tmp_path / "cache").exists()


def test_web_url_fragments_are_ignored():
    target = parse_git_target("https://github.com/acme/shop/blob/main/catalog-info.yaml#L3")
    assert (target.clone_url, target.branch, target.path) == (
        "https://github.com/acme/shop.git",
        "main",
        "catalog-info.yaml",
    )


@pytest.mark.parametrize("location_type", ["file", "url"])
@pytest.mark.parametrize("target", ["/tmp/\udcff.yaml", "/tmp/x.git#main:\udcff", "/tmp/\x00", ""])
def test_undecodable_or_empty_targets_become_errors(location_type, target, tmp_path: Path):
    result = read_location(location_type, target, ReaderPolicy(cache_dir=tmp_path / "cache"))
    assert result.files == []
    assert len(result.errors) == 1
