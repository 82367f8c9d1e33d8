"""Reading ``url`` locations from real git repositories built in ``tmp_path``."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from catalog.formats.readers import ReaderPolicy, SourceFile, read_location, read_relative
from catalog.formats.readers.gitcommand import run_git
from catalog.formats.readers.gitmirror import mirror_dir

from .conftest import commit, git

HOOKS = ("post-checkout", "post-merge", "pre-commit", "reference-transaction", "post-receive", "pre-push")


def plant_hooks(hooks_dir: Path, marker: Path) -> None:
    hooks_dir.mkdir(parents=True, exist_ok=True)
    for name in HOOKS:
        hook = hooks_dir / name
        hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
        hook.chmod(0o755)


def test_reads_catalog_info_from_a_local_path(make_repo, policy):
    repo = make_repo({"catalog-info.yaml": "kind: Component\n"})
    result = read_location("url", str(repo), policy)
    assert result.errors == []
    assert [(f.location_key, f.path, f.data) for f in result.files] == [
        (f"url:{repo}#main:catalog-info.yaml", "catalog-info.yaml", b"kind: Component\n")
    ]
    assert result.commit == git(repo, "rev-parse", "HEAD")


def test_reads_a_glob_across_directories_from_a_file_url(make_repo, policy):
    repo = make_repo(
        {
            "catalog-info.yaml": "root",
            "services/a/catalog-info.yaml": "a",
            "services/b/deep/er/catalog-info.yaml": "b",
            "services/b/other.yaml": "no",
            "docs/catalog-info.yaml": "outside the glob",
        }
    )
    result = read_location("url", f"file://{repo}#main:services/**/catalog-info.yaml", policy)
    assert result.errors == []
    assert [(f.path, f.data) for f in result.files] == [
        ("services/a/catalog-info.yaml", b"a"),
        ("services/b/deep/er/catalog-info.yaml", b"b"),
    ]
    assert result.files[0].location_key == f"url:file://{repo}#main:services/a/catalog-info.yaml"


def test_reads_the_named_branch(make_repo, policy):
    repo = make_repo({"catalog-info.yaml": "main"})
    git(repo, "checkout", "-q", "-b", "release/2")
    commit(repo, {"catalog-info.yaml": "release"})
    git(repo, "checkout", "-q", "main")
    assert read_location("url", f"{repo}#release/2", policy).files[0].data == b"release"
    assert read_location("url", f"{repo}#main", policy).files[0].data == b"main"
    assert read_location("url", str(repo), policy).files[0].data == b"main"


def test_sees_a_new_commit_on_the_next_read(make_repo, policy):
    repo = make_repo({"catalog-info.yaml": "one"})
    first = read_location("url", str(repo), policy)
    second_sha = commit(repo, {"catalog-info.yaml": "two"})
    second = read_location("url", str(repo), policy)
    assert first.files[0].data == b"one"
    assert second.files[0].data == b"two"
    assert second.commit == second_sha != first.commit


def test_reports_a_missing_file(make_repo, policy):
    repo = make_repo({"README.md": "hi"})
    result = read_location("url", str(repo), policy)
    assert result.files == []
    assert len(result.errors) == 1
    assert "'catalog-info.yaml' not found" in result.errors[0].message
    assert str(repo) in result.errors[0].message


def test_reports_a_glob_matching_nothing(make_repo, policy):
    repo = make_repo({"README.md": "hi"})
    result = read_location("url", f"{repo}#:**/catalog-info.yaml", policy)
    assert result.files == []
    assert "No files match '**/catalog-info.yaml'" in result.errors[0].message


def test_reports_a_missing_branch(make_repo, policy):
    repo = make_repo({"catalog-info.yaml": "x"})
    for _ in range(2):  # once when cloning, once when fetching into the existing mirror
        result = read_location("url", f"{repo}#nope", policy)
        assert result.files == []
        assert result.errors[0].message == f"Branch 'nope' not found in {repo}"
        read_location("url", str(repo), policy)


def test_reports_an_unreachable_repository(tmp_path: Path, policy):
    target = f"file://{tmp_path}/missing.git#main"
    result = read_location("url", target, policy)
    assert result.files == []
    assert result.errors[0].location_key == f"url:{target}"
    assert f"{tmp_path}/missing.git" in result.errors[0].message


@pytest.mark.parametrize("spelling", ["file://{path}#main:catalog-info.yaml", "{path}#main:catalog-info.yaml"])
def test_a_plain_directory_says_to_register_it_as_a_file_location(tmp_path: Path, policy, spelling):
    folder = tmp_path / "services"
    folder.mkdir()
    (folder / "catalog-info.yaml").write_text("apiVersion: backstage.io/v1alpha1\n")
    result = read_location("url", spelling.format(path=folder), policy)
    assert result.files == []
    assert result.errors[0].message == (
        f"{folder} is not a git repository; register the directory as a file location instead "
        f"(type file, target {folder}/catalog-info.yaml)"
    )


def test_reports_a_timeout_and_kills_git(tmp_path: Path, monkeypatch):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text("#!/bin/sh\nsleep 30\n")
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:/usr/bin:/bin")
    policy = ReaderPolicy(cache_dir=tmp_path / "cache", git_timeout_seconds=1)
    started = time.monotonic()
    result = read_location("url", f"{tmp_path}/repo", policy)
    assert time.monotonic() - started < 10
    assert "Timed out reading" in result.errors[0].message
    assert "after 1s" in result.errors[0].message


def test_refuses_a_symlink_to_etc_passwd(make_repo, policy):
    repo = make_repo({"README.md": "hi"})
    (repo / "catalog-info.yaml").symlink_to("/etc/passwd")
    (repo / "teams").mkdir()
    (repo / "teams" / "catalog-info.yaml").symlink_to("/etc/passwd")
    commit(repo, {})
    for target in (str(repo), f"{repo}#:**/catalog-info.yaml"):
        result = read_location("url", target, policy)
        assert result.files == []
        assert result.errors
        assert all("is a symbolic link" in error.message for error in result.errors)


def test_ignores_submodules_in_globs(make_repo, policy):
    inner = make_repo({"catalog-info.yaml": "inner"}, name="inner")
    repo = make_repo({"catalog-info.yaml": "outer"})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "vendor")
    commit(repo, {})
    result = read_location("url", f"{repo}#:**/catalog-info.yaml", policy)
    assert result.errors == []
    assert [f.data for f in result.files] == [b"outer"]


def test_refuses_oversized_files_and_reads_the_rest(make_repo, tmp_path: Path):
    repo = make_repo({"a/catalog-info.yaml": "x" * 101, "b/catalog-info.yaml": "small"})
    policy = ReaderPolicy(cache_dir=tmp_path / "cache", max_file_bytes=100)
    result = read_location("url", f"{repo}#:*/catalog-info.yaml", policy)
    assert [f.path for f in result.files] == ["b/catalog-info.yaml"]
    assert [(e.location_key, e.message) for e in result.errors] == [
        (f"url:{repo}#main:a/catalog-info.yaml", "'a/catalog-info.yaml' is 101 bytes, over the 100 limit")
    ]


def test_refuses_more_files_than_the_limit(make_repo, tmp_path: Path):
    repo = make_repo({f"{n}/catalog-info.yaml": "x" for n in range(3)})
    policy = ReaderPolicy(cache_dir=tmp_path / "cache", max_files=2)
    result = read_location("url", f"{repo}#:**/catalog-info.yaml", policy)
    assert result.files == []
    assert "3 files match" in result.errors[0].message


def test_option_injection_never_runs(make_repo, tmp_path: Path, policy):
    repo = make_repo({"catalog-info.yaml": "x"})
    marker = tmp_path / "pwned"
    targets = [
        f"--upload-pack=touch {marker}",
        f"--upload-pack=touch%20{marker}",
        f"{repo}#--upload-pack=touch {marker}",
        f"file://{repo}#-c:core.sshCommand=touch",
        f"ssh://-oProxyCommand=touch%20{marker}/org/repo.git",
        f"-oProxyCommand=touch {marker}:org/repo.git",
    ]
    for target in targets:
        result = read_location("url", target, policy)
        assert result.files == []
        assert result.errors, target
    assert not marker.exists()


def test_refuses_percent_encoded_dot_dot_in_web_urls(policy):
    target = "https://github.com/acme/shop/blob/main/%2e%2e/%2E%2E/etc/passwd"
    result = read_location("url", target, policy)
    assert result.files == []
    assert result.errors[0].location_key == f"url:{target}"
    assert "'..' segment" in result.errors[0].message
    assert not policy.cache_dir.exists()


def test_ext_transport_never_runs(tmp_path: Path, policy):
    marker = tmp_path / "pwned"
    for target in (f"ext::sh -c touch% {marker}", f"ext::sh%20-c%20touch%20{marker}", "fd::3"):
        result = read_location("url", target, policy)
        assert "not allowed" in result.errors[0].message
    assert not marker.exists()


def test_hooks_and_fsmonitor_of_the_source_repository_never_run(make_repo, tmp_path: Path, policy):
    marker = tmp_path / "hook-ran"
    repo = make_repo({"catalog-info.yaml": "x"})
    plant_hooks(repo / ".git" / "hooks", marker)
    git(repo, "config", "core.fsmonitor", f"touch {marker}")
    git(repo, "config", "uploadpack.packObjectsHook", f"touch {marker}; git-pack-objects")
    result = read_location("url", str(repo), policy)
    assert result.errors == []
    assert result.files[0].data == b"x"
    assert not marker.exists()


def test_hooks_and_fsmonitor_planted_in_the_mirror_never_run(make_repo, tmp_path: Path, policy):
    marker = tmp_path / "hook-ran"
    repo = make_repo({"catalog-info.yaml": "x"})
    assert read_location("url", str(repo), policy).errors == []
    mirror = mirror_dir(policy, str(repo))
    plant_hooks(mirror / "hooks", marker)
    with (mirror / "config").open("a") as config:
        config.write(f"[core]\n\tfsmonitor = touch {marker}\n\thooksPath = {mirror / 'hooks'}\n")
    commit(repo, {"catalog-info.yaml": "y"})
    result = read_location("url", str(repo), policy)
    assert result.errors == []
    assert result.files[0].data == b"y"
    assert not marker.exists()


def test_mirror_is_bare_and_never_checked_out(make_repo, policy):
    repo = make_repo({"catalog-info.yaml": "x", "services/a.yaml": "a"})
    read_location("url", str(repo), policy)
    mirror = mirror_dir(policy, str(repo))
    assert (mirror / "HEAD").is_file()
    assert not (mirror / "catalog-info.yaml").exists()
    assert not (mirror / "services").exists()
    assert git(mirror, "--git-dir=.", "rev-parse", "--is-bare-repository") == "true"


def test_reads_two_thousand_files_in_one_go(tmp_path: Path, policy):
    repo = tmp_path / "big"
    repo.mkdir()
    git(repo, "init", "-q")
    for team in range(40):
        for service in range(50):
            path = repo / f"team-{team}" / f"service-{service}"
            path.mkdir(parents=True)
            (path / "catalog-info.yaml").write_text(f"name: s-{team}-{service}\n")
    commit(repo, {})
    started = time.monotonic()
    result = read_location("url", f"{repo}#main:**/catalog-info.yaml", policy)
    first_read = time.monotonic() - started
    started = time.monotonic()
    again = read_location("url", f"{repo}#main:**/catalog-info.yaml", policy)
    second_read = time.monotonic() - started
    print(f"2,000 files: first read {first_read:.2f}s (clone), second read {second_read:.2f}s (fetch)")
    assert result.errors == []
    assert len(result.files) == 2000
    assert len(again.files) == 2000
    assert result.files[0].data == b"name: s-0-0\n"
    assert second_read < 10


def test_relative_target_reads_the_parent_commit(make_repo, policy):
    repo = make_repo({"teams/all.yaml": "all", "teams/a/catalog-info.yaml": "a", "teams/b/catalog-info.yaml": "b"})
    parent = read_location("url", f"{repo}#main:teams/all.yaml", policy).files[0]
    commit(repo, {"teams/a/catalog-info.yaml": "a2"})
    result = read_relative(parent, "./*/catalog-info.yaml", policy)
    assert result.errors == []
    assert [(f.path, f.data) for f in result.files] == [
        ("teams/a/catalog-info.yaml", b"a"),
        ("teams/b/catalog-info.yaml", b"b"),
    ]
    assert result.commit == parent.root.commit


def test_relative_target_may_go_up_but_not_out(make_repo, policy):
    repo = make_repo({"catalog-info.yaml": "root", "teams/a/catalog-info.yaml": "a"})
    parent = read_location("url", f"{repo}#main:teams/a/catalog-info.yaml", policy).files[0]
    assert read_relative(parent, "../../catalog-info.yaml", policy).files[0].data == b"root"
    for target in ("../../../catalog-info.yaml", "%2e%2e/%2e%2e/%2e%2e/x.yaml", "/etc/passwd"):
        result = read_relative(parent, target, policy)
        assert result.files == []
        assert target in result.errors[0].message


def test_relative_web_target_keeps_the_web_key(make_repo, policy):
    repo = make_repo({"a/catalog-info.yaml": "a", "b/catalog-info.yaml": "b"})
    parent = read_location("url", f"{repo}#main:a/catalog-info.yaml", policy).files[0]
    result = read_relative(parent, "../b/catalog-info.yaml", policy)
    assert result.files[0].location_key == f"url:{repo}#main:b/catalog-info.yaml"


def test_absolute_local_target_named_by_a_file_is_refused(make_repo, policy):
    # A file may name another repository, but never one on this machine (catalog.formats.readers.local_targets).
    first = make_repo({"catalog-info.yaml": "first"}, name="first")
    second = make_repo({"catalog-info.yaml": "second"}, name="second")
    parent = read_location("url", str(first), policy).files[0]
    result = read_relative(parent, f"file://{second}#main", policy)
    assert result.files == []
    assert "local targets come only from settings, app-config or a platform admin" in result.errors[0].message


def test_relative_target_without_a_recorded_commit_reads_the_branch(make_repo, policy):
    repo = make_repo({"a/catalog-info.yaml": "a", "b/catalog-info.yaml": "b"})
    read = read_location("url", f"{repo}#main:a/catalog-info.yaml", policy).files[0]
    parent = SourceFile(read.location_key, read.path, read.data)
    result = read_relative(parent, "../b/catalog-info.yaml", policy)
    assert [f.data for f in result.files] == [b"b"]


def test_reads_a_local_bare_repository(make_repo, tmp_path: Path, policy):
    repo = make_repo({"services/shop/catalog-info.yaml": "shop"})
    bare = tmp_path / "shop.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    result = read_location("url", f"file://{bare}#main:services/**/catalog-info.yaml", policy)
    assert result.errors == []
    assert [f.data for f in result.files] == [b"shop"]


def test_command_line_config_overrides_the_mirror_config(make_repo, tmp_path: Path, policy):
    repo = make_repo({"catalog-info.yaml": "x"})
    read_location("url", str(repo), policy)
    mirror = mirror_dir(policy, str(repo))
    with (mirror / "config").open("a") as config:
        config.write("[core]\n\thooksPath = /tmp/hooks\n[protocol]\n\tallow = always\n")
    home = tmp_path / "home"
    home.mkdir()

    def effective(key: str) -> str:
        return run_git(["config", "--get", key], policy=policy, home=home, git_dir=mirror).decode().strip()

    assert effective("core.hooksPath") == "/dev/null"
    assert effective("protocol.allow") == "never"
    assert effective("http.followRedirects") == "false"
