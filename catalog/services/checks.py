"""Checking descriptors without storing anything: for ``catalog_validate``, CI and the API.

The verdicts are ingestion's own: files are read with the ``file`` location reader and every
document goes through ``judge_document``, as a refresh of that file would.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..formats.readers import ReaderPolicy, read_location
from ..formats.refs import entity_ref_of
from ..formats.validation import FieldError
from ..formats.yaml_reader import YamlFileError, parse_documents
from .errors import ProcessingError
from .verdicts import DEFAULT_ALLOWED_LOCATION_TYPES, Origin, file_origin, judge_document


def check_entity(
    entity: Any, location_ref: str, *, allowed_location_types: tuple[str, ...] = DEFAULT_ALLOWED_LOCATION_TYPES
) -> tuple[list[FieldError], list[FieldError]]:
    """The errors and warnings ingestion would give ``entity`` if ``location_ref`` emitted it.

    Nothing is read: placeholders get the stand-in a remote placeholder gets.
    """
    origin = Origin(location_ref, location_ref, allowed_location_types=tuple(allowed_location_types))
    verdict = judge_document(entity, origin)
    return _field_errors(verdict.errors), _field_errors(verdict.warnings)


@dataclass
class DocumentVerdict:
    """The verdict on one document of a file (``document`` is 1-based for people)."""

    path: str
    document: int | None
    line: int | None
    entity_ref: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        where = f"{self.path}:{self.line}" if self.line else self.path
        if self.document is not None:
            where += f": document {self.document}"
        label = f" ({self.entity_ref})" if self.entity_ref else ""
        warnings = [f"{where}{label}: warning: {warning}" for warning in self.warnings]
        if self.ok:
            return [f"{where}: ok {self.entity_ref}", *warnings]
        return [f"{where}{label}: {error.field or 'file'}: {error.message}" for error in self.errors] + warnings


def check_file(
    path: Path,
    policy: ReaderPolicy,
    *,
    allowed_location_types: tuple[str, ...] = DEFAULT_ALLOWED_LOCATION_TYPES,
) -> list[DocumentVerdict]:
    """Validate every document of a descriptor file; unreadable files give one failed verdict.

    The file is named by whoever runs the check on this machine, so it is read as a trusted local
    target, and its placeholders stay confined to the file's own folder.
    """
    name = str(path)
    absolute = path.absolute()
    policy = replace(policy, local_trusted=True, local_roots=(str(absolute.parent),))
    result = read_location("file", str(absolute), policy)
    if result.errors:
        return [DocumentVerdict(name, None, None, errors=[FieldError("", error.message)]) for error in result.errors]
    verdicts = []
    for source in result.files:
        if len(result.files) > 1:
            name = source.path
        try:
            documents = parse_documents(source.data, source=name, max_bytes=policy.max_file_bytes)
        except YamlFileError as error:
            verdicts.append(DocumentVerdict(name, None, error.line, errors=[FieldError("", error.message)]))
            continue
        origin = file_origin(source, source.location_key, policy, allowed_location_types)
        for document in documents:
            verdict = DocumentVerdict(name, document.index + 1, document.line)
            if document.error is not None:
                verdict.errors = [FieldError("", document.error)]
            else:
                judged = judge_document(document.data, origin)
                verdict.errors = _field_errors(judged.errors)
                verdict.warnings = _field_errors(judged.warnings)
                try:
                    verdict.entity_ref = entity_ref_of(judged.entity)
                except (KeyError, TypeError, AttributeError):
                    verdict.entity_ref = None
            verdicts.append(verdict)
    return verdicts


def _field_errors(problems: list[ProcessingError]) -> list[FieldError]:
    return [FieldError(problem.field or "", problem.message) for problem in problems]
