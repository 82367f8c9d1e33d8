"""Every descriptor gets the same verdict from each entry point that judges it.

Ingestion (registering the file and refreshing it), ``manage.py catalog_validate``,
``POST /validate-entity`` and the admin's YAML editor must accept and refuse the same documents.
They run over the demo catalog and the fixtures in ``tests/catalog/verdicts/`` (whose file names say
the verdict), and over Backstage's example corpus when ``../shared/conformance`` is beside the
repository.

Two differences are by design and kept out of these files (docs/conformance.md): the API is given
an entity without its file, so it reads no placeholder and judges it as from a ``url`` location.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.admin_forms import EntityBodyForm
from catalog.formats.refs import entity_ref_of
from catalog.formats.yaml_reader import parse_documents
from catalog.models import Entity
from catalog.services import refresh_location, register_location, validate_location_spec
from tests.conftest import REPO_ROOT
from tests.corpus import SHARED_CONFORMANCE as CONFORMANCE

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "verdicts"
DEMO = REPO_ROOT / "catalog" / "demo"
CORPUS = CONFORMANCE / "backstage-examples"


def in_repo_files() -> list[Path]:
    return sorted([*FIXTURES.glob("*.yaml"), *DEMO.glob("*.yaml"), *DEMO.glob("systems/*/catalog-info.yaml")])


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.yaml"))


def file_id(path: Path) -> str:
    for base in (REPO_ROOT, CORPUS):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return path.name


def documents(path: Path) -> list[Any]:
    """Each document's data as the YAML reader gives it (None for a document it refused)."""
    return [document.data for document in parse_documents(path.read_bytes(), source=str(path))]


def ref_or_none(data: Any) -> str | None:
    try:
        return entity_ref_of(data)
    except (KeyError, TypeError, AttributeError):
        return None


# --- The four entry points, each giving [accepted?] per document -----------------------------------


def by_ingestion(path: Path) -> list[bool]:
    location = register_location(validate_location_spec("file", str(path)), trusted=True)
    refresh_location(location)
    stored = set(Entity.objects.filter(location_key=f"file:{path}").values_list("ref", flat=True))
    return [ref_or_none(data) in stored for data in documents(path)]


_VERDICT_LINE = re.compile(r": document (?P<index>\d+)(?P<ok>: ok )?")


def by_catalog_validate(path: Path) -> list[bool]:
    out, err = StringIO(), StringIO()
    try:
        call_command("catalog_validate", str(path), stdout=out, stderr=err)
    except CommandError:
        assert err.getvalue()
    refused = {int(match["index"]) for match in map(_VERDICT_LINE.search, err.getvalue().splitlines()) if match}
    accepted = {
        int(match["index"]) for match in map(_VERDICT_LINE.search, out.getvalue().splitlines()) if match and match["ok"]
    }
    assert not accepted & refused
    return [index in accepted for index in range(1, len(documents(path)) + 1)]


def by_validate_entity(api, path: Path) -> list[bool]:
    verdicts = []
    for data in documents(path):
        if data is None:
            # Refused by the YAML reader: there is no entity to send.
            verdicts.append(False)
            continue
        location = f"url:https://git.example.com/catalog.git#main:{path.name}"
        response = api.post("/api/catalog/validate-entity", {"entity": data, "location": location}, format="json")
        assert response.status_code in (200, 400), response.content
        verdicts.append(response.status_code == 200)
    return verdicts


def by_admin_editor(path: Path) -> list[bool]:
    """Each document pasted into the YAML editor of an entity with its ref, read from ``path``."""
    location = register_location(validate_location_spec("file", str(path)), exists_ok=True, trusted=True)
    verdicts = []
    for data in documents(path):
        ref = ref_or_none(data)
        if ref is None or len(ref) > 400:
            verdicts.append(False)
            continue
        kind, _, rest = ref.partition(":")
        namespace, _, name = rest.partition("/")
        entity, _ = Entity.objects.get_or_create(
            ref=ref,
            defaults={
                "kind": kind[:63],
                "namespace": namespace[:63],
                "name": name[:63],
                "body": {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": {"name": name}},
                "location": location,
                "location_key": f"file:{path}",
                "content_hash": "-",
                "etag": "-",
            },
        )
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        verdicts.append(EntityBodyForm(instance=entity, data={"body_yaml": text}).is_valid())
    return verdicts


def verdicts_of(api, path: Path) -> dict[str, list[bool]]:
    return {
        "ingestion": by_ingestion(path),
        "catalog_validate": by_catalog_validate(path),
        "validate-entity": by_validate_entity(api, path),
        "admin editor": by_admin_editor(path),
    }


def assert_one_verdict(verdicts: dict[str, list[bool]]) -> list[bool]:
    first = verdicts["ingestion"]
    assert {name: verdict for name, verdict in verdicts.items() if verdict != first} == {}, verdicts
    return first


# --- In the repository --------------------------------------------------------------------------


@pytest.mark.parametrize("path", in_repo_files(), ids=file_id)
def test_in_repo_descriptors_get_one_verdict(api, path):
    verdict = assert_one_verdict(verdicts_of(api, path))

    expected = not path.name.startswith("refused-")
    assert verdict == [expected] * len(verdict)


def test_the_fixtures_cover_acceptance_and_refusal():
    names = [path.name for path in FIXTURES.glob("*.yaml")]

    assert any(name.startswith("ok-") for name in names)
    assert any(name.startswith("refused-") for name in names)
    assert all(name.startswith(("ok-", "refused-")) for name in names)


# --- Backstage's example corpus, when it is beside the repository ---------------------------------

if CORPUS.exists():
    # Refused by Backstage too, or by its rules as docs/conformance.md explains; the OpenAPI document
    # is not an entity at all.
    CORPUS_REFUSED = {
        "components/invalid-component.yaml",
        "ai-resources/frontend-design-skill.yaml",
        "apis/petstore-webhook.oas.yaml",
    }

    @pytest.mark.shared_corpus
    @pytest.mark.parametrize("path", corpus_files(), ids=file_id)
    def test_corpus_descriptors_get_one_verdict(api, path):
        verdict = assert_one_verdict(verdicts_of(api, path))

        expected = file_id(path) not in CORPUS_REFUSED
        assert verdict == [expected] * len(verdict)
