"""Every corpus descriptor gets the verdict Backstage gives it: the valid ones load, the invalid ones are refused.

Runs on the in-repo fixtures (``tests/fixtures/catalog/``) and, when present, on Backstage's example
entities in ``../shared/conformance/backstage-examples/`` (its README lists the expected verdicts).
"""

from pathlib import Path
from typing import Any

import pytest

from catalog.formats.validation import validate_entity
from catalog.formats.yaml_reader import parse_documents
from tests.catalog.corpora import CATALOG_CORPORA, CatalogCorpus
from tests.corpus import per_file


def read(corpus: CatalogCorpus, relative: str) -> list[dict[str, Any]]:
    documents = parse_documents((corpus.root / relative).read_bytes(), source=relative)
    assert [document.error for document in documents if document.error] == []
    return [document.data for document in documents]


def is_entity(data: dict[str, Any]) -> bool:
    return "apiVersion" in data and "kind" in data


def with_placeholders_resolved(value: Any, directory: Path) -> Any:
    """Replace `$text` placeholders as the catalog does before validation.

    Relative targets are read from the corpus; remote ones get a stand-in text,
    since the verdict only needs the result to be a non-empty string.
    """
    if isinstance(value, dict):
        if len(value) == 1 and "$text" in value:
            target = value["$text"]
            if "://" in target:
                return f"(contents of {target})"
            return (directory / target).read_text(encoding="utf-8")
        return {key: with_placeholders_resolved(item, directory) for key, item in value.items()}
    if isinstance(value, list):
        return [with_placeholders_resolved(item, directory) for item in value]
    return value


def entities(corpus: CatalogCorpus, relative: str) -> list[dict[str, Any]]:
    directory = (corpus.root / relative).parent
    return [with_placeholders_resolved(data, directory) for data in read(corpus, relative) if is_entity(data)]


@pytest.mark.parametrize("corpus", CATALOG_CORPORA)
def test_every_corpus_file_parses_without_error(corpus):
    assert corpus.files
    for relative in corpus.files:
        assert read(corpus, relative), relative


@pytest.mark.parametrize("corpus", CATALOG_CORPORA)
def test_files_without_entities_are_exactly_the_placeholder_targets(corpus):
    skipped = [name for name in corpus.files if not any(is_entity(data) for data in read(corpus, name))]

    assert skipped == list(corpus.non_entity_files)


@pytest.mark.parametrize(("corpus", "relative"), per_file(CATALOG_CORPORA, lambda corpus: corpus.valid_files))
def test_corpus_entities_are_valid(corpus, relative):
    for data in entities(corpus, relative):
        assert validate_entity(data) == [], data["metadata"]["name"]


@pytest.mark.parametrize(("corpus", "relative"), per_file(CATALOG_CORPORA, lambda corpus: sorted(corpus.invalid)))
def test_invalid_file_is_refused_naming_each_field(corpus, relative):
    (data,) = entities(corpus, relative)

    fields = tuple(error.field for error in validate_entity(data))

    assert fields == corpus.invalid[relative]


@pytest.mark.parametrize("corpus", CATALOG_CORPORA)
def test_corpus_covers_every_built_in_kind_and_the_alpha_layer(corpus):
    found = [data for relative in corpus.valid_files for data in entities(corpus, relative)]
    kinds = {data["kind"] for data in found}
    api_types = {data["spec"]["type"] for data in found if data["kind"] == "API"}
    # Over every file: the shared corpus's only skill is refused (its allowedTools is a list), yet read.
    every = [
        data
        for relative in corpus.files
        if relative not in corpus.non_entity_files
        for data in entities(corpus, relative)
    ]
    ai_types = {data["spec"]["type"] for data in every if data["kind"] == "AiResource"}

    assert kinds >= {"Component", "API", "Resource", "System", "Domain", "Group", "User", "Location", "AiResource"}
    assert "mcp-server" in api_types
    assert ai_types >= {"skill", "rule", "plugin", "marketplace"}
