"""``$openapi`` and ``$asyncapi`` placeholders: a definition file with its external ``$ref``s bundled in.

The target is read as ``$text`` reads it (``catalog.services.placeholders``); each ``$ref`` naming
another file is then read relative to the file that names it, with the same reader and the same
root: a ``file`` location's folder, a git location's repository and commit, or for an ``https://``
target the same fetch rules (a host with an integration, public addresses, size and time limits).
``http://`` and other hosts' references are not followed: the ``$ref`` stays and the entity gets a
warning. ``catalog.formats.ref_bundle`` decides where each target goes. The value stored is the
bundled document as text (YAML, or JSON when the target is a ``.json`` file), as Backstage stores it.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import yaml

from ..formats.readers import ReaderPolicy, SourceFile, read_relative
from ..formats.readers.httpfetch import FETCH_MAX_BYTES, FetchError, FetchRefused, fetch_https
from ..formats.ref_bundle import BundleError, ReadFile, RefSkipped, bundle_document
from ..formats.yaml_reader import YamlFileError, iter_documents
from .errors import ProcessingError

BUNDLE_KEYS = ("$openapi", "$asyncapi")
# Per file read: the limits the Definition tab parses a definition with.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILE_NODES = 200_000
MAX_FILE_DEPTH = 48
_GLOB_CHARACTERS = ("*", "?", "[", "{")


def bundle_placeholder(
    key: str,
    target: str,
    data: bytes,
    origin: SourceFile | str,
    policy: ReaderPolicy,
    source: SourceFile,
    path: str,
    errors: list[ProcessingError],
) -> str | None:
    """The bundled text of ``data`` (read from ``origin``: a file, or an https URL), or None on failure.

    Failures are recorded in ``errors`` as ``$text`` records them (level error, the entity is not
    stored); references skipped by policy as warnings.
    """
    name = origin if isinstance(origin, str) else origin.location_key
    try:
        root = ReadFile(name, parse_file(data, name), origin, len(data))
        reader = _Reader(policy)
        reader.fetched[name] = root  # a referenced file naming the root back is not fetched again
        bundle = bundle_document(root, reader)
    except BundleError as error:
        errors.append(ProcessingError(source.location_key, f"{key} placeholder {target}: {error}", field=path))
        return None
    for warning in bundle.warnings:
        errors.append(
            ProcessingError(source.location_key, f"{key} placeholder: {warning}", field=path, level="warning")
        )
    return dump_document(bundle.document, as_json=target.lower().split("?")[0].endswith(".json"))


def parse_file(data: bytes, name: str) -> dict[str, Any]:
    """One YAML or JSON mapping under the Definition tab's limits; ``BundleError`` naming ``name``."""
    try:
        for document in iter_documents(
            data, source=name, max_bytes=MAX_FILE_BYTES, max_nodes=MAX_FILE_NODES, max_depth=MAX_FILE_DEPTH
        ):
            if document.error is not None:
                raise BundleError(f"{name}: {document.error}")
            return document.data
    except YamlFileError as error:
        where = f" line {error.line}" if error.line is not None else ""
        raise BundleError(f"{name}{where}: {error.message}") from None
    raise BundleError(f"{name} is empty")


# libyaml's emitter when PyYAML has it: the pure-Python one takes seconds for a large bundle.
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _NoAliases(_BaseDumper):  # type: ignore[misc,valid-type]
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_document(document: dict[str, Any], *, as_json: bool = False) -> str:
    """The document as YAML, unless it must be JSON or YAML would not read back the same."""
    if not as_json:
        text = yaml.dump(document, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=120)
        # PyYAML writes YAML 1.1; the catalog reads 1.2. Where they would disagree on a value
        # (``0o17``, say), JSON, which both read alike, is written instead.
        try:
            if next(iter_documents(text.encode(), source="bundle", max_bytes=len(text) * 4 + 1)).data == document:
                return text
        except (StopIteration, YamlFileError):
            pass
    return json.dumps(document, indent=2, ensure_ascii=False)


class _Reader:
    """Reads what a ``$ref`` names, relative to the file naming it, under the placeholder's rules."""

    def __init__(self, policy: ReaderPolicy) -> None:
        self.policy = policy
        self.fetched: dict[str, ReadFile] = {}
        # Parsed files by location key: one file named with several spellings is parsed once.
        self.parsed: dict[tuple[str, bytes], ReadFile] = {}

    def __call__(self, current: ReadFile, file_part: str) -> ReadFile:
        if any(character in file_part for character in _GLOB_CHARACTERS):
            raise BundleError("a reference names one file, not a pattern")
        scheme = urlsplit(file_part).scheme.lower()
        if isinstance(current.handle, str):
            return self._fetch(urljoin(current.handle, file_part))
        if scheme or file_part.startswith("//"):
            return self._fetch(file_part)
        assert isinstance(current.handle, SourceFile)
        parent = current.handle
        relative = unquote(file_part) if parent.location_key.startswith("file:") else file_part
        result = read_relative(parent, relative, self.policy)
        if result.errors:
            raise BundleError(result.errors[0].message)
        if len(result.files) != 1:
            raise BundleError(f"{file_part} names {len(result.files)} files")
        found = result.files[0]
        if len(found.data) > MAX_FILE_BYTES:
            raise BundleError(f"{found.location_key} is {len(found.data):,} bytes, over {MAX_FILE_BYTES:,}")
        key = (found.location_key, found.data)
        if key not in self.parsed:
            self.parsed[key] = ReadFile(
                found.location_key, parse_file(found.data, found.location_key), found, len(found.data)
            )
        return self.parsed[key]

    def _fetch(self, url: str) -> ReadFile:
        if not url.lower().startswith("https://"):
            raise RefSkipped("only https:// references on a host with an integration are fetched")
        parts = urlsplit(url)
        if parts.username or parts.password:
            # The reference is repeated in messages with its user information hidden (``shown_ref``).
            raise RefSkipped("a URL with a user name or password is not fetched; configure an integration")
        if url in self.fetched:
            return self.fetched[url]
        try:
            data = fetch_https(url, self.policy.for_content(), max_bytes=min(MAX_FILE_BYTES, FETCH_MAX_BYTES))
        except FetchRefused as error:
            raise RefSkipped(str(error)) from None
        except FetchError as error:
            raise BundleError(str(error)) from None
        self.fetched[url] = ReadFile(url, parse_file(data, url), url, len(data))
        return self.fetched[url]
