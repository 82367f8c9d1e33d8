"""After a refresh, TechDocs queues source checks for the documented entities in batches."""

from __future__ import annotations

import pytest

from catalog.services import refresh_location, register_location, validate_location_spec
from techdocs import signals as techdocs_signals
from techdocs.tasks import check_entities_docs_task
from tests.conftest import component

DOCUMENTED = "metadata:\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n"


def documented(name: str) -> str:
    return component(name).replace("metadata:\n", DOCUMENTED, 1)


@pytest.fixture
def sent(monkeypatch) -> list[tuple[str, tuple]]:
    calls: list[tuple[str, tuple]] = []
    monkeypatch.setattr(techdocs_signals, "send_job", lambda name, *args: calls.append((name, args)))
    return calls


@pytest.mark.django_db
def test_a_refresh_queues_one_check_per_batch_of_documented_entities(write_file, monkeypatch, sent):
    monkeypatch.setattr(techdocs_signals, "CHECK_BATCH", 2)
    names = ["docs-a", "docs-b", "docs-c"]
    path = write_file("c.yaml", "---\n".join([*map(documented, names), component("plain")]))
    location = register_location(validate_location_spec("file", str(path)), trusted=True)

    refresh_location(location)

    assert [name for name, _ in sent] == ["techdocs.check_entities", "techdocs.check_entities"]
    batches = [refs for _, (refs,) in sent]
    assert [len(refs) for refs in batches] == [2, 1]
    assert sorted(ref for refs in batches for ref in refs) == [f"component:default/{name}" for name in names]


@pytest.mark.django_db
def test_a_refresh_without_documented_entities_queues_nothing(write_file, sent):
    location = register_location(
        validate_location_spec("file", str(write_file("c.yaml", component("plain")))), trusted=True
    )

    refresh_location(location)

    assert sent == []


@pytest.mark.django_db
def test_one_failing_check_does_not_stop_the_rest_of_its_batch(settings, monkeypatch):
    settings.TECHDOCS = {**settings.TECHDOCS, "BUILDER": "local"}
    checked: list[str] = []

    def check(ref: str):
        checked.append(ref)
        if ref == "component:default/broken":
            raise RuntimeError("source unreachable")
        return object()

    monkeypatch.setattr("techdocs.services.check_entity_docs", check)

    queued = check_entities_docs_task(["component:default/a", "component:default/broken", "component:default/c"])

    assert checked == ["component:default/a", "component:default/broken", "component:default/c"]
    assert queued == 2
