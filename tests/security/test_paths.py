"""Paths: nothing read or written leaves its repository, location root, workspace or site."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from catalog.formats.readers import ReaderPolicy, SourceFile, read_location, read_relative
from catalog.formats.readers.targets import resolve_relative_path
from scaffolder.workspace import Workspace, WorkspaceError, clean_relative
from techdocs.archives import ArchiveRefused, extract_archive
from techdocs.mkdocs_config import UnsafeConfig, sanitise_config


@pytest.fixture
def policy(tmp_path: Path) -> ReaderPolicy:
    return ReaderPolicy(cache_dir=tmp_path / "cache")


@pytest.fixture
def location(tmp_path: Path) -> Path:
    """A location root holding catalog-info.yaml, beside a secret outside it."""
    root = tmp_path / "repo"
    root.mkdir()
    (root / "catalog-info.yaml").write_text("kind: Location\n")
    (tmp_path / "secret.yaml").write_text("password: hunter2\n")
    return root


def _parent(root: Path, policy: ReaderPolicy) -> SourceFile:
    [parent] = read_location("file", str(root / "catalog-info.yaml"), policy).files
    return parent


@pytest.mark.parametrize(
    "target",
    ["../secret.yaml", "%2e%2e/secret.yaml", "./a/../../secret.yaml", "/etc/passwd", "%2F%2E%2E%2Fsecret.yaml"],
)
def test_relative_targets_cannot_leave_the_location_root(location, policy, target):
    result = read_relative(_parent(location, policy), target, policy)
    assert result.files == []
    assert result.errors


def test_a_symbolic_link_out_of_the_root_is_refused(location, policy, tmp_path):
    (location / "leak.yaml").symlink_to(tmp_path / "secret.yaml")
    result = read_relative(_parent(location, policy), "./leak.yaml", policy)
    assert result.files == []
    assert "outside the location root" in result.errors[0].message


def test_a_hard_link_to_a_file_outside_the_root_is_refused(location, policy, tmp_path):
    os.link(tmp_path / "secret.yaml", location / "leak.yaml")
    result = read_relative(_parent(location, policy), "./leak.yaml", policy)
    assert result.files == []
    assert "hard link" in result.errors[0].message


@pytest.mark.parametrize("target", ["../x.yaml", "%2e%2e/x.yaml", "a/%2E%2E/%2e%2e/x.yaml", "/x.yaml", "//host/x"])
def test_git_relative_paths_are_decoded_before_the_check(target):
    with pytest.raises(ValueError):
        resolve_relative_path("catalog-info.yaml", target)


def test_a_placeholder_cannot_read_outside_the_location(location, policy):
    from catalog.services.placeholders import resolve_placeholders

    data = {"spec": {"definition": {"$text": "../secret.yaml"}, "other": {"$yaml": "%2e%2e/secret.yaml"}}}
    resolved, errors = resolve_placeholders(data, _parent(location, policy), policy)
    assert resolved["spec"] == {"definition": None, "other": None}
    assert [error.field for error in errors] == ["spec.definition", "spec.other"]
    assert "hunter2" not in repr(resolved)


@pytest.mark.parametrize("relative", ["../x", "a/../../x", "/etc/passwd", "a\\..\\x", "C:/x", "a\x00b"])
def test_workspace_paths_stay_inside(relative):
    with pytest.raises(WorkspaceError):
        clean_relative(relative, field="targetPath")


def test_workspace_refuses_paths_through_symbolic_links(tmp_path):
    workspace = Workspace(tmp_path / "ws")
    workspace.root.mkdir()
    (workspace.root / "out").symlink_to(tmp_path)
    with pytest.raises(WorkspaceError, match="symbolic link"):
        workspace.path("out/x", field="files[0].to")
    with pytest.raises(WorkspaceError):
        workspace.write("out/x", b"data")
    assert not (tmp_path / "x").exists()


def _tar(members: list[tarfile.TarInfo], data: bytes = b"x") -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member in members:
            archive.addfile(member, io.BytesIO(data) if member.isfile() else None)
    buffer.seek(0)
    return buffer


def _member(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, linkname, 1 if kind == tarfile.REGTYPE else 0
    return info


@pytest.mark.parametrize(
    "member",
    [
        _member("../escape.html"),
        _member("/tmp/escape.html"),
        _member("site/../../escape.html"),
        _member("link", tarfile.SYMTYPE, "/etc/passwd"),
        _member("hard", tarfile.LNKTYPE, "/etc/passwd"),
        _member("fifo", tarfile.FIFOTYPE),
    ],
    ids=["dotdot", "absolute", "nested-dotdot", "symlink", "hardlink", "fifo"],
)
def test_archive_members_cannot_escape_the_site(tmp_path, member):
    destination = tmp_path / "site"
    destination.mkdir()
    archive = _tar([_member("index.html"), member])
    with pytest.raises(ArchiveRefused):
        extract_archive(archive, destination, max_bytes=10_000, max_files=10)
    assert not (tmp_path / "escape.html").exists()


def test_zip_symbolic_links_are_refused(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("link")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    buffer.seek(0)
    with pytest.raises(ArchiveRefused, match="symbolic link"):
        extract_archive(buffer, tmp_path, max_bytes=10_000, max_files=10)


def test_an_archive_bomb_is_refused_by_its_declared_size(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", b"\0" * 5_000_000)
    buffer.seek(0)
    with pytest.raises(ArchiveRefused, match="more than"):
        extract_archive(buffer, tmp_path, max_bytes=1_000_000, max_files=10)


@pytest.mark.parametrize(
    "raw",
    [
        {"docs_dir": "../../etc"},
        {"docs_dir": "/etc"},
        {"docs_dir": "docs/../../.."},
        {"theme": {"name": "mkdocs", "custom_dir": "../outside"}},
    ],
)
def test_docs_folders_cannot_leave_the_source(tmp_path, raw):
    with pytest.raises(UnsafeConfig, match="leaves the source tree"):
        sanitise_config(raw, tmp_path, ["techdocs-core"], "Docs")


def test_a_docs_dir_linked_outside_the_source_is_refused(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "docs").symlink_to(tmp_path)
    with pytest.raises(UnsafeConfig, match="leaves the source tree"):
        sanitise_config({"docs_dir": "docs"}, source, ["techdocs-core"], "Docs")
