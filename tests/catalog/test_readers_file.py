"""Reading ``file`` locations, confined to the directory they were registered under."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalog.formats.readers import ReaderPolicy, SourceFile, read_location, read_relative


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    for name, content in {
        "all.yaml": "all",
        "teams/a/catalog-info.yaml": "a",
        "teams/b/catalog-info.yaml": "b",
        "teams/b/notes.txt": "no",
        "teams/.hidden/catalog-info.yaml": "hidden",
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    (tmp_path / "secret.yaml").write_text("secret")
    return root


def test_reads_one_file(catalog_dir: Path, policy):
    result = read_location("file", f"{catalog_dir}/all.yaml", policy)
    assert result.errors == []
    assert result.commit is None
    assert [(f.location_key, f.path, f.data) for f in result.files] == [
        (f"file:{catalog_dir}/all.yaml", f"{catalog_dir}/all.yaml", b"all")
    ]


def test_reads_a_glob_across_directories(catalog_dir: Path, policy):
    result = read_location("file", f"{catalog_dir}/**/catalog-info.yaml", policy)
    assert result.errors == []
    assert [f.path for f in result.files] == [
        f"{catalog_dir}/teams/a/catalog-info.yaml",
        f"{catalog_dir}/teams/b/catalog-info.yaml",
    ]


def test_refuses_a_target_ending_in_a_slash(catalog_dir: Path, policy):
    result = read_location("file", f"{catalog_dir}/", policy)
    assert result.files == []
    assert result.errors[0].message == f"File location '{catalog_dir}/' ends with '/'; name a file or a glob"


def test_refuses_a_relative_registered_path(policy):
    result = read_location("file", "catalog/all.yaml", policy)
    assert "must be an absolute path" in result.errors[0].message


def test_reports_a_missing_file(catalog_dir: Path, policy):
    result = read_location("file", f"{catalog_dir}/missing.yaml", policy)
    assert result.files == []
    assert result.errors[0].message == f"File {catalog_dir}/missing.yaml not found"


def test_reports_a_glob_matching_nothing(catalog_dir: Path, policy):
    result = read_location("file", f"{catalog_dir}/**/*.json", policy)
    assert result.files == []
    assert "No files match" in result.errors[0].message


def test_refuses_oversized_files(catalog_dir: Path, tmp_path: Path):
    (catalog_dir / "big.yaml").write_bytes(b"x" * 101)
    policy = ReaderPolicy(cache_dir=tmp_path / "cache", max_file_bytes=100)
    result = read_location("file", f"{catalog_dir}/big.yaml", policy)
    assert result.files == []
    assert result.errors[0].message == f"Refused {catalog_dir}/big.yaml: 101 bytes, over the 100 byte limit"


def test_refuses_special_files(catalog_dir: Path, policy):
    os.mkfifo(catalog_dir / "pipe.yaml")
    result = read_location("file", f"{catalog_dir}/pipe.yaml", policy)
    assert result.files == []
    assert "not a regular file" in result.errors[0].message


def test_refuses_a_symlinked_file_leading_out(catalog_dir: Path, policy):
    (catalog_dir / "teams" / "c").mkdir()
    (catalog_dir / "teams" / "c" / "catalog-info.yaml").symlink_to("/etc/passwd")
    result = read_location("file", f"{catalog_dir}/**/catalog-info.yaml", policy)
    assert [f.data for f in result.files] == [b"a", b"b"]
    assert [e.location_key for e in result.errors] == [f"file:{catalog_dir}/teams/c/catalog-info.yaml"]
    assert "symbolic link leads outside" in result.errors[0].message


def test_reads_a_symlink_that_stays_inside(catalog_dir: Path, policy):
    (catalog_dir / "alias.yaml").symlink_to(catalog_dir / "teams" / "a" / "catalog-info.yaml")
    assert read_location("file", f"{catalog_dir}/alias.yaml", policy).files[0].data == b"a"


def test_relative_target_reads_next_to_the_parent(catalog_dir: Path, policy):
    parent = read_location("file", f"{catalog_dir}/all.yaml", policy).files[0]
    result = read_relative(parent, "./teams/*/catalog-info.yaml", policy)
    assert result.errors == []
    assert [f.data for f in result.files] == [b"a", b"b"]


def test_relative_target_keeps_the_registered_root(catalog_dir: Path, policy):
    parent = read_location("file", f"{catalog_dir}/all.yaml", policy).files[0]
    child = read_relative(parent, "./teams/a/catalog-info.yaml", policy).files[0]
    assert read_relative(child, "../../all.yaml", policy).files[0].data == b"all"
    refused = read_relative(child, "../../../secret.yaml", policy)
    assert refused.files == []
    assert refused.errors[0].message == (
        f"Refused target '../../../secret.yaml': it leaves the location root {catalog_dir}"
    )


def test_relative_target_may_not_be_absolute(catalog_dir: Path, policy):
    parent = read_location("file", f"{catalog_dir}/all.yaml", policy).files[0]
    result = read_relative(parent, "/etc/passwd", policy)
    assert result.files == []
    assert "absolute paths may not be reached" in result.errors[0].message


def test_relative_target_through_a_symlinked_directory_is_refused(catalog_dir: Path, tmp_path: Path, policy):
    (catalog_dir / "etc").symlink_to("/etc")
    (catalog_dir / "outside").symlink_to(tmp_path)
    parent = read_location("file", f"{catalog_dir}/all.yaml", policy).files[0]
    for target in ("./etc/passwd", "./outside/secret.yaml"):
        result = read_relative(parent, target, policy)
        assert result.files == []
        assert "symbolic link leads outside" in result.errors[0].message
    globbed = read_location("file", f"{catalog_dir}/**/*", policy)
    assert all(b"root:" not in f.data and f.data != b"secret" for f in globbed.files)


def test_relative_target_of_a_parent_without_a_root_stays_in_its_directory(catalog_dir: Path, policy):
    parent = SourceFile(
        f"file:{catalog_dir}/teams/a/catalog-info.yaml", f"{catalog_dir}/teams/a/catalog-info.yaml", b""
    )
    result = read_relative(parent, "../b/catalog-info.yaml", policy)
    assert result.files == []
    assert "leaves the location root" in result.errors[0].message
