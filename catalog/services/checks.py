"""Checking descriptor files without storing anything: for ``catalog_validate``, CI and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..refs import entity_ref_of
from ..relations import RelationFieldError, emitted_relations
from ..validation import FieldError, validate_entity
from ..yaml_reader import YamlFileError, parse_documents


def check_entity(entity: Any) -> list[FieldError]:
    """Every reason ``entity`` would be refused by the catalog (format, kind schema, references)."""
    errors = validate_entity(entity)
    if errors:
        return errors
    try:
        emitted_relations(entity)
    except RelationFieldError as problem:
        return [FieldError(problem.field, problem.message)]
    return []


@dataclass
class DocumentVerdict:
    """The verdict on one document of a file (``document`` is 1-based for people)."""

    path: str
    document: int | None
    line: int | None
    entity_ref: str | None = None
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        where = f"{self.path}:{self.line}" if self.line else self.path
        if self.document is not None:
            where += f": document {self.document}"
        if self.ok:
            return [f"{where}: ok {self.entity_ref}"]
        label = f" ({self.entity_ref})" if self.entity_ref else ""
        return [f"{where}{label}: {error.field or 'file'}: {error.message}" for error in self.errors]


def check_file(path: Path, *, max_bytes: int = 4 * 1024 * 1024) -> list[DocumentVerdict]:
    """Validate every document of a descriptor file; unreadable files give one failed verdict."""
    try:
        if path.stat().st_size > max_bytes:
            raise YamlFileError(str(path), None, f"file is larger than {max_bytes} bytes")
        documents = parse_documents(path.read_bytes(), source=str(path), max_bytes=max_bytes)
    except YamlFileError as error:
        return [DocumentVerdict(str(path), None, error.line, errors=[FieldError("", error.message)])]
    except OSError as error:
        return [DocumentVerdict(str(path), None, None, errors=[FieldError("", error.strerror or str(error))])]
    verdicts = []
    for document in documents:
        verdict = DocumentVerdict(str(path), document.index + 1, document.line)
        if document.error is not None:
            verdict.errors = [FieldError("", document.error)]
        else:
            verdict.errors = check_entity(document.data)
            try:
                verdict.entity_ref = entity_ref_of(document.data)
            except (KeyError, TypeError, AttributeError):
                verdict.entity_ref = None
        verdicts.append(verdict)
    return verdicts
