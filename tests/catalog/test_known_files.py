"""``known_files``: which files of a location a refresh may skip, grouped by the database on
PostgreSQL and in Python elsewhere, with the same answer."""

from __future__ import annotations

from catalog.models import Entity
from catalog.services.known_files import known_files
from tests.catalog.api_fixtures import components
from tests.catalog.conftest import load_catalog_file


def test_an_unchanged_file_is_known_by_its_digest_with_all_its_refs(db, write_file):
    location = load_catalog_file(write_file, "catalog.yaml", components(3))
    (known,) = known_files(location).values()
    assert known.digest
    assert sorted(known.refs) == [f"component:default/svc-{index:03d}" for index in range(3)]
    # The generated Location entity is not read from the file and is not listed.
    assert location.entity_ref not in known.refs


def test_a_file_whose_entities_disagree_on_the_digest_is_read_again(db, write_file):
    location = load_catalog_file(write_file, "catalog.yaml", components(3))
    Entity.objects.filter(ref="component:default/svc-001").update(source_digest="0" * 40)
    (known,) = known_files(location).values()
    assert known.digest is None and len(known.refs) == 3


def test_a_file_without_a_digest_or_with_errors_is_read_again(db, write_file):
    location = load_catalog_file(write_file, "catalog.yaml", components(2))
    Entity.objects.filter(location=location).exclude(ref=location.entity_ref).update(source_digest="")
    assert [known.digest for known in known_files(location).values()] == [None]

    location = load_catalog_file(write_file, "other.yaml", components(2, prefix="other"))
    (key,) = known_files(location)
    location.errors = [{"location_key": key, "message": "a refused document"}]
    assert [known.digest for known in known_files(location).values()] == [None]


def test_orphans_are_not_known(db, write_file):
    location = load_catalog_file(write_file, "catalog.yaml", components(2))
    Entity.objects.filter(ref="component:default/svc-000").update(is_orphan=True)
    (known,) = known_files(location).values()
    assert known.refs == ["component:default/svc-001"]
