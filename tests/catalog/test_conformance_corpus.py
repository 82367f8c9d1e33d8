"""Backstage's own example entities must get the verdicts Backstage gives them.

The corpus lives outside the repository, in `shared/conformance/backstage-examples/`
next to it; its README lists the expected verdicts.
"""

from pathlib import Path
from typing import Any

import pytest

from catalog.validation import validate_entity
from catalog.yaml_reader import parse_documents

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "backstage-examples"
FILES = sorted(path.relative_to(CORPUS).as_posix() for path in CORPUS.rglob("*.yaml"))
INVALID_FILE = "components/invalid-component.yaml"
# Its spec.allowedTools is a list; Backstage's model wants one string of tool names (docs/conformance.md).
INVALID_SKILL_FILE = "ai-resources/frontend-design-skill.yaml"
# OpenAPI documents, read only through `$text` placeholders, not entities.
NON_ENTITY_FILES = ["apis/petstore-webhook.oas.yaml"]


def test_the_corpus_is_there():
    # The corpus ships beside the project (../shared); a missing one must fail, never skip.
    assert CORPUS.is_dir(), f"conformance corpus not found at {CORPUS}"


def read(relative: str) -> list[dict[str, Any]]:
    path = CORPUS / relative
    documents = parse_documents(path.read_bytes(), source=relative)
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


def entities(relative: str) -> list[dict[str, Any]]:
    directory = (CORPUS / relative).parent
    return [with_placeholders_resolved(data, directory) for data in read(relative) if is_entity(data)]


def test_corpus_is_present():
    assert len(FILES) > 50


def test_every_corpus_file_parses_without_error():
    for relative in FILES:
        assert read(relative)


def test_files_without_entities_are_exactly_the_openapi_documents():
    skipped = [relative for relative in FILES if not any(is_entity(data) for data in read(relative))]

    assert skipped == NON_ENTITY_FILES


@pytest.mark.parametrize(
    "relative", [name for name in FILES if name not in (INVALID_FILE, INVALID_SKILL_FILE, *NON_ENTITY_FILES)]
)
def test_corpus_entities_are_valid(relative):
    for data in entities(relative):
        assert validate_entity(data) == [], data["metadata"]["name"]


def test_invalid_component_is_refused_naming_name_and_tag():
    (data,) = entities(INVALID_FILE)

    fields = [error.field for error in validate_entity(data)]

    assert fields == ["metadata.name", "metadata.tags[1]"]


def test_skill_with_a_list_of_allowed_tools_is_refused_naming_the_field():
    (data,) = entities(INVALID_SKILL_FILE)

    assert [error.field for error in validate_entity(data)] == ["spec.allowedTools"]


def test_corpus_covers_every_built_in_kind_and_the_alpha_layer():
    kinds = {data["kind"] for relative in FILES for data in entities(relative)}
    api_types = {data["spec"]["type"] for relative in FILES for data in entities(relative) if data["kind"] == "API"}

    assert kinds >= {
        "Component",
        "API",
        "Resource",
        "System",
        "Domain",
        "Group",
        "User",
        "Location",
        "AiResource",
    }
    assert "mcp-server" in api_types
