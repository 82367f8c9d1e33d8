"""YAML from repositories: bombs, depth, size, language tags and text PostgreSQL cannot store."""

from __future__ import annotations

import time

import pytest

from catalog.formats.yaml_reader import YamlFileError, parse_documents
from techdocs.mkdocs_config import UnsafeConfig, load_config
from tests.conftest import component

BOMB = b"""
a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
g: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
"""


def test_an_alias_bomb_is_refused_quickly():
    started = time.monotonic()
    [document] = parse_documents(BOMB, source="bomb.yaml")
    assert document.data is None
    assert "YAML error" in document.error
    assert time.monotonic() - started < 2


def text_bomb(string_bytes: int, references: int) -> bytes:
    """A small file whose one long string, referenced many times, expands far beyond the file."""
    return (
        b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: bomb\n"
        b"  description: &s " + b"x" * string_bytes + b"\n"
        b"spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
        b"  copies: [" + b", ".join([b"*s"] * references) + b"]\n"
    )


def test_a_string_referenced_many_times_is_refused_by_its_expanded_bytes():
    bomb = text_bomb(64 * 1024, 20_000)  # about 150 KB that would expand to 1.3 GB of text
    started = time.monotonic()

    [document] = parse_documents(bomb, source="bomb.yaml")

    assert document.data is None
    assert "document expands to more than 8388608 bytes of text through its aliases" in document.error
    assert time.monotonic() - started < 2


@pytest.mark.django_db
def test_a_location_holding_a_text_bomb_records_an_error_naming_file_and_document(write_file, settings):
    from catalog.models import Entity, Location
    from catalog.services import refresh_location, register_location, validate_location_spec

    # A small file limit keeps the bomb small for the test: the text limit is twice the file limit.
    settings.CATALOG = {**settings.CATALOG, "MAX_FILE_BYTES": 64 * 1024}
    path = write_file("bomb.yaml", component("fine").encode() + b"---\n" + text_bomb(4096, 1000))
    location = register_location(validate_location_spec("file", str(path)), trusted=True)

    refresh_location(location)

    location.refresh_from_db()
    assert location.status == Location.Status.ERROR
    assert list(Entity.objects.filter(kind="Component").values_list("name", flat=True)) == ["fine"]
    [error] = location.errors
    assert (error["location_key"], error["document"]) == (f"file:{path}", 1)
    assert "expands to more than 131072 bytes of text through its aliases" in error["message"]


def test_deep_nesting_is_refused_without_recursion_error():
    [document] = parse_documents(b"a: " + b"[" * 5000 + b"]" * 5000, source="deep.yaml")
    assert document.data is None
    assert "YAML error" in document.error


def test_a_huge_file_is_refused_before_parsing():
    with pytest.raises(YamlFileError, match=r"huge.yaml: file is \d+ bytes, more than the limit"):
        parse_documents(b"a: b\n" * 1000, source="huge.yaml", max_bytes=1000)


@pytest.mark.parametrize(
    "text",
    [
        b"a: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
        b"a: !!python/name:os.system\n",
        b"a: !!binary aGVsbG8=\n",
        b"a: !ruby/object:Gem::Installer {}\n",
        b"a: !!set {x}\n",
    ],
)
def test_language_tags_are_refused(text):
    [document] = parse_documents(text, source="tags.yaml")
    assert document.data is None
    assert "tag" in document.error.lower()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b'a: "nul \\0 here"\n', "unstorable"),
        (b'a: "\\ud800"\n', "unstorable"),
        (b"a: b\x00\n", "NUL"),
        (b"a: \xff\xfe\n", "UTF-8"),
        ("a: b\n".encode("utf-16"), "UTF-16 is not supported; save the file as UTF-8"),
        ("a: b\n".encode("utf-16-le"), "UTF-16 is not supported; save the file as UTF-8"),
    ],
)
def test_text_postgres_cannot_store_is_a_clear_error(text, expected):
    try:
        documents = parse_documents(text, source="text.yaml")
    except YamlFileError as error:
        assert str(error).startswith("text.yaml")
        message = str(error)
    else:
        assert documents[0].data is None
        message = documents[0].error
    assert expected.lower() in message.lower() or "character" in message.lower()


def test_the_mkdocs_loader_refuses_deep_nesting_cleanly():
    with pytest.raises(UnsafeConfig, match="nested too deeply"):
        load_config("nav: " + "[" * 20000 + "]" * 20000)


def test_the_mkdocs_loader_refuses_python_tags():
    with pytest.raises(UnsafeConfig, match="would run Python"):
        load_config("site_name: !!python/object/apply:os.system ['id']\n")
