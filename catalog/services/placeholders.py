"""``$text``, ``$json``, ``$yaml``, ``$openapi`` and ``$asyncapi`` placeholders: a value replaced by
the content of another file (``$openapi``/``$asyncapi`` bundle its ``$ref``s: ``bundled_placeholders``).

Relative targets are read with the location's own reader, so they stay inside the same repository or
directory. ``https://`` targets on a host with an integration are fetched with its credential
(``catalog.formats.readers.httpfetch``); other absolute targets are not fetched: the value says so and
the entity gets a warning.
An entity submitted on its own (``POST /validate-entity``) has no file to read next to, so its
relative targets get the same stand-in and warning.
"""

from __future__ import annotations

import json
from typing import Any

from ..formats.readers import ReaderPolicy, SourceFile, read_relative
from ..formats.readers.httpfetch import FETCH_MAX_BYTES, FetchError, FetchRefused, fetch_https
from ..formats.yaml_reader import YamlFileError, parse_documents
from .bundled_placeholders import BUNDLE_KEYS, bundle_placeholder
from .errors import ProcessingError

PLACEHOLDER_KEYS = ("$text", "$json", "$yaml", *BUNDLE_KEYS)


def is_absolute_target(target: str) -> bool:
    return "://" in target or target.startswith("/")


def resolve_placeholders(
    data: dict[str, Any], source: SourceFile | None, policy: ReaderPolicy | None, location_key: str = ""
) -> tuple[dict[str, Any], list[ProcessingError]]:
    """A copy of ``data`` with every placeholder mapping replaced, and the problems met.

    ``source`` is the file ``data`` was read from; without one (or without a ``policy`` to read
    with) nothing is read and every placeholder gets the stand-in. ``location_key`` names the
    entity's location in the errors when there is no file.
    """
    errors: list[ProcessingError] = []

    def resolve(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                key, target = next(iter(value.items()))
                if key in PLACEHOLDER_KEYS and isinstance(target, str):
                    return _placeholder(key, target, source, path, policy, errors, location_key)
            return {k: resolve(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return value

    return resolve(data, ""), errors


def _placeholder(
    key: str,
    target: str,
    source: SourceFile | None,
    path: str,
    policy: ReaderPolicy | None,
    errors: list[ProcessingError],
    location_key: str,
) -> Any:
    remote = is_absolute_target(target)
    if remote and target.startswith("https://") and source is not None and policy is not None:
        return _remote_placeholder(key, target, source, path, policy, errors)
    if source is None or policy is None or remote:
        reason = "only files of the same location are read" if remote else "the entity was not read from a file"
        errors.append(
            ProcessingError(
                source.location_key if source else location_key,
                f"{key} placeholder {target} was not loaded: {reason}",
                field=path,
                level="warning",
            )
        )
        return f"Not loaded: {target}"
    result = read_relative(source, target, policy)
    if result.errors or not result.files:
        reason = result.errors[0].message if result.errors else f"{target} not found"
        errors.append(ProcessingError(source.location_key, f"{key} placeholder: {reason}", field=path))
        return None
    found = result.files[0]
    if key in BUNDLE_KEYS:
        return bundle_placeholder(key, target, found.data, found, policy, source, path, errors)
    return _decode(key, target, found.data, found.location_key, source, path, errors)


def _remote_placeholder(
    key: str, target: str, source: SourceFile, path: str, policy: ReaderPolicy, errors: list[ProcessingError]
) -> Any:
    """An ``https://`` target: fetched from a host with an integration, with its credential."""
    try:
        data = fetch_https(target, policy.for_content(), max_bytes=min(policy.max_file_bytes, FETCH_MAX_BYTES))
    except FetchRefused as error:
        message = f"{key} placeholder {target} was not loaded: {error}"
        errors.append(ProcessingError(source.location_key, message, field=path, level="warning"))
        return f"Not loaded: {target}"
    except FetchError as error:
        errors.append(ProcessingError(source.location_key, f"{key} placeholder: {error}", field=path))
        return None
    if key in BUNDLE_KEYS:
        return bundle_placeholder(key, target, data, target, policy, source, path, errors)
    return _decode(key, target, data, target, source, path, errors)


def _decode(
    key: str, target: str, data: bytes, data_source: str, source: SourceFile, path: str, errors: list[ProcessingError]
) -> Any:
    try:
        text = data.decode("utf-8")
        if key == "$text":
            return text
        if key == "$json":
            return json.loads(text)
        documents = parse_documents(data, source=data_source)
        if len(documents) != 1 or documents[0].error:
            problem = documents[0].error if documents else "it is empty"
            raise ValueError(problem or "it must hold exactly one YAML document")
        return documents[0].data
    except (UnicodeDecodeError, ValueError, YamlFileError) as error:
        errors.append(ProcessingError(source.location_key, f"{key} placeholder {target}: {error}", field=path))
        return None
