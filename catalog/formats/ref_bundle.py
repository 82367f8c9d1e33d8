"""One self-contained OpenAPI or AsyncAPI document from a file whose ``$ref``s name other files.

Every ``$ref`` that is not an internal ``#/...`` reference of the root document is read, through a
``read`` callback the caller supplies (which decides what may be read), and placed once:

* a reference in a component's position (a schema, parameter, response, request body, header,
  example, link, callback, security scheme; an AsyncAPI message or schema) is moved under the
  root's ``components`` (``definitions``/``parameters``/``responses`` in Swagger 2.0) and the
  ``$ref`` becomes an internal one, so the target is written once however often it is named, keeps
  a name on the API page, and references between files that form a cycle end as internal refs;
* a root slot that is itself a component (``components.schemas.Pet: {$ref: ./pet.yaml}``) receives
  the target, and every other reference to that target points at the slot;
* anything else (a path item, an AsyncAPI channel, ``info``) is written in place; a cycle through
  such references is an error.

References inside a referenced file, its own ``#/...`` ones included, are resolved the same way
against that file. Internal references of the root document are kept as they are. No Django here.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

MAX_FILES = 100
MAX_BYTES = 10 * 1024 * 1024
MAX_REF_DEPTH = 32
READS_PER_FILE = 10
# Keeps Python's recursion well inside its limit: about three frames per level.
MAX_NESTING = 100
MAX_NODES = 200_000
# Text written out: a target written in place many times must not multiply into gigabytes.
MAX_OUTPUT_BYTES = 8 * 1024 * 1024

# Where a ``$ref`` sits decides which components section its target moves to.
_OPENAPI_SECTIONS = {
    "parameters": "parameters",
    "responses": "responses",
    "requestBodies": "requestBodies",
    "headers": "headers",
    "examples": "examples",
    "links": "links",
    "callbacks": "callbacks",
    "securitySchemes": "securitySchemes",
}
_SCHEMA_KEYS = {
    "openapi": {"schema", "schemas"},
    "swagger": {"schema", "definitions"},
    "asyncapi": {"schemas", "payload", "headers", "schema"},
}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_USER_INFO = re.compile(r"//[^/@\s]*@")


class BundleError(Exception):
    """The document cannot be bundled; ``str()`` names the file and the reference."""


class RefSkipped(Exception):
    """The reader will not read this target by policy: the ``$ref`` is kept and a warning given."""


@dataclass(frozen=True)
class ReadFile:
    """A file the ``read`` callback returns: ``name`` identifies it in messages and for cycles."""

    name: str
    data: Any
    handle: Any = None
    size: int = 0


# read(file the reference is in, the reference's file part) -> the parsed file.
Reader = Callable[[ReadFile, str], ReadFile]


@dataclass
class Bundle:
    """The bundled document, the warnings met, and the files read (root first)."""

    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def document_kind(document: dict[str, Any]) -> str:
    """``swagger`` (2.0), ``asyncapi`` or ``openapi`` (3.x, also the default)."""
    if "swagger" in document:
        return "swagger"
    return "asyncapi" if "asyncapi" in document else "openapi"


def bundle_document(root: ReadFile, read: Reader, *, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES) -> Bundle:
    """Bundle ``root`` (its ``data`` a parsed mapping); ``BundleError`` when it cannot be done."""
    if not isinstance(root.data, dict):
        raise BundleError(f"{root.name} is not a mapping")
    return _Bundler(root, read, max_files, max_bytes).run()


def split_ref(ref: str) -> tuple[str, str]:
    """A reference's file part and its JSON pointer (without ``#``, percent-decoded)."""
    file_part, _, fragment = ref.partition("#")
    return file_part, unquote(fragment)


def resolve_pointer(document: Any, pointer: str, where: str) -> Any:
    """The value at an RFC 6901 ``pointer`` of ``document`` (the file ``where``), or ``BundleError``."""
    if pointer in ("", "/"):
        return document
    if not pointer.startswith("/"):
        raise BundleError(f"the fragment #{pointer} of {where} is not a JSON pointer (it must start with '/')")
    value = document
    for token in pointer[1:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            raise BundleError(f"nothing at #{pointer} in {where}")
    return value


class _Bundler:
    def __init__(self, root: ReadFile, read: Reader, max_files: int, max_bytes: int) -> None:
        self.root = root
        self.read = read
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.kind = document_kind(root.data)
        self.files: dict[tuple[str, str], ReadFile | None] = {}
        self.names = [root.name]
        self.by_name: dict[str, ReadFile] = {}
        self.placed: dict[tuple[str, str], str] = {}
        self.taken: dict[str, set[str]] = {}
        self.hoisted: dict[str, dict[str, Any]] = {}
        self.pending: deque[tuple[str, str, Any, ReadFile, list[Any]]] = deque()
        self.bytes_read = root.size
        self.warnings: list[str] = []
        self.nodes = 0
        self.output_bytes = 0

    def run(self) -> Bundle:
        self._claim_root_slots()
        document = self._walk(self.root.data, self.root, [], (), [])
        # Targets moved to components are walked one after another, never nested, so a long chain
        # of files costs no recursion.
        while self.pending:
            section, name, target, target_file, local = self.pending.popleft()
            slot = [section, name] if self.kind == "swagger" else ["components", section, name]
            self.hoisted[section][name] = self._walk(target, target_file, slot, (), local)
        for section, entries in self.hoisted.items():
            container = document if self.kind == "swagger" else document.setdefault("components", {})
            if not isinstance(container, dict):
                raise BundleError(f"{self.root.name}: 'components' is not a mapping")
            target = container.setdefault(section, {})
            if not isinstance(target, dict):
                raise BundleError(f"{self.root.name}: '{section}' is not a mapping")
            target.update(entries)
        return Bundle(document, self.warnings, self.names)

    # --- where targets go -----------------------------------------------------------------

    def _sections(self) -> dict[str, Any]:
        data = self.root.data
        if self.kind == "swagger":
            return {key: data.get(key) for key in ("definitions", "parameters", "responses")}
        components = data.get("components")
        return components if isinstance(components, dict) else {}

    def _claim_root_slots(self) -> None:
        """Root component slots that are external refs receive their target; names already used."""
        prefix = "#/" if self.kind == "swagger" else "#/components/"
        for section, entries in self._sections().items():
            if not isinstance(entries, dict):
                continue
            self.taken[section] = set(map(str, entries))
            for name, value in entries.items():
                ref = value.get("$ref") if isinstance(value, dict) else None
                if isinstance(ref, str) and not ref.startswith("#"):
                    where = f"{self.root.name} ({self._slot_path(section, name)})"
                    target_file, pointer = self._target(self.root, ref, where)
                    if target_file is not None:
                        self.placed.setdefault((target_file.name, pointer), f"{prefix}{section}/{_escape(name)}")

    def _slot_path(self, section: str, name: Any) -> str:
        return f"{section}.{name}" if self.kind == "swagger" else f"components.{section}.{name}"

    def _is_root_slot(self, path: list[Any]) -> bool:
        if self.kind == "swagger":
            return len(path) == 2 and path[0] in ("definitions", "parameters", "responses")
        return len(path) == 3 and path[0] == "components"

    def _section_for(self, path: list[Any]) -> str | None:
        """The components section a target referenced at ``path`` moves to; None: written in place."""
        keys = [key for key in path if isinstance(key, str)]
        if any(key in _SCHEMA_KEYS[self.kind] for key in keys):
            return "definitions" if self.kind == "swagger" else "schemas"
        parent = path[-2] if len(path) >= 2 else None
        last = path[-1] if path else None
        if self.kind == "asyncapi":
            if last == "message" or parent == "messages" or (len(path) >= 3 and path[-3] == "message"):
                return "messages"
            return "parameters" if parent == "parameters" else None
        if self.kind == "swagger":
            return parent if parent in ("parameters", "responses") else None
        if last == "requestBody":
            return "requestBodies"
        return _OPENAPI_SECTIONS.get(parent) if isinstance(parent, str) else None

    def _name(self, section: str, file_name: str, pointer: str) -> str:
        base = pointer.rstrip("/").rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~") if pointer else ""
        if not base:
            base = file_name.rstrip("/").rsplit("/", 1)[-1].split("#")[0].rsplit(".", 1)[0]
        base = _SAFE_NAME.sub("_", base).strip("_") or "Ref"
        taken = self.taken.setdefault(section, set())
        name, count = base, 2
        while name in taken:
            name, count = f"{base}_{count}", count + 1
        taken.add(name)
        return name

    # --- reading --------------------------------------------------------------------------

    def _target(self, current: ReadFile, ref: str, where: str) -> tuple[ReadFile | None, str]:
        """The file and pointer ``ref`` names from ``current``; None when the reader skipped it."""
        file_part, pointer = split_ref(ref)
        if not file_part:
            return current, pointer
        key = (current.name, file_part)
        if key not in self.files:
            # One file may be named by many spellings (``./a.yaml``, ``../x/a.yaml``): each read
            # counts against the byte budget, and the reads against a multiple of the file limit.
            if len(self.files) >= READS_PER_FILE * self.max_files:
                limit = f"more than {READS_PER_FILE * self.max_files} references to files"
                raise BundleError(f"{where}: $ref {shown_ref(ref)}: {limit}")
            try:
                loaded = self.read(current, file_part)
            except RefSkipped as skipped:
                self.warnings.append(f"{where}: $ref {shown_ref(ref)} was not followed: {skipped}")
                self.files[key] = None
                return None, pointer
            except BundleError as error:
                raise BundleError(f"{where}: $ref {shown_ref(ref)}: {error}") from None
            self.bytes_read += loaded.size
            if self.bytes_read > self.max_bytes:
                limit = f"the files read would exceed {self.max_bytes:,} bytes"
                raise BundleError(f"{where}: $ref {shown_ref(ref)}: {limit}")
            if loaded.name not in self.by_name:
                if len(self.by_name) >= self.max_files:
                    limit = f"reading it would take more than {self.max_files} files"
                    raise BundleError(f"{where}: $ref {shown_ref(ref)}: {limit}")
                self.by_name[loaded.name] = loaded
                self.names.append(loaded.name)
            self.files[key] = self.by_name[loaded.name]
        return self.files[key], pointer

    # --- the walk -------------------------------------------------------------------------

    def _walk(
        self, value: Any, current: ReadFile, path: list[Any], stack: tuple[tuple[str, str], ...], local: list[Any]
    ) -> Any:
        """``value`` (from ``current``, at ``local`` in it) written at ``path`` of the bundle."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise BundleError(f"{self.root.name}: the bundled document would exceed {MAX_NODES:,} nodes")
        if len(path) > MAX_NESTING:
            raise BundleError(f"{current.name}: the bundled document nests deeper than {MAX_NESTING} levels")
        if isinstance(value, list):
            return [
                self._walk(item, current, [*path, index], stack, [*local, index]) for index, item in enumerate(value)
            ]
        if isinstance(value, str):
            self.output_bytes += len(value)
            if self.output_bytes > MAX_OUTPUT_BYTES:
                raise BundleError(f"{self.root.name}: the bundled document would exceed {MAX_OUTPUT_BYTES:,} bytes")
        if not isinstance(value, dict):
            return value
        ref = value.get("$ref")
        if isinstance(ref, str) and not (current is self.root and ref.startswith("#")):
            return self._reference(value, ref, current, path, stack, local)
        return {
            key: self._walk(item, current, [*path, str(key)], stack, [*local, str(key)]) for key, item in value.items()
        }

    def _pointed(self, target_file: ReadFile, pointer: str, where: str, ref: str) -> Any:
        try:
            return resolve_pointer(target_file.data, pointer, target_file.name)
        except BundleError as error:
            raise BundleError(f"{where}: $ref {shown_ref(ref)}: {error}") from None

    def _reference(
        self,
        value: dict[str, Any],
        ref: str,
        current: ReadFile,
        path: list[Any],
        stack: tuple[tuple[str, str], ...],
        local: list[Any],
    ) -> Any:
        where = f"{current.name} ({_dotted(local) or 'the document'})"
        target_file, pointer = self._target(current, ref, where)
        if target_file is None:
            return dict(value)
        if target_file.name == self.root.name:
            # A file naming the root document back: an internal reference of the bundle.
            self._pointed(target_file, pointer, where, ref)
            return {**value, "$ref": f"#{pointer}"}
        key = (target_file.name, pointer)
        siblings = {k: self._walk(v, current, [*path, k], stack, [*local, k]) for k, v in value.items() if k != "$ref"}
        section = self._section_for(path)
        if current is self.root and self._is_root_slot(path):
            prefix = "#/" if self.kind == "swagger" else "#/components/"
            if self.placed[key] != f"{prefix}{path[-2]}/{_escape(path[-1])}":
                # A second slot naming a file another slot received points at that slot.
                return {"$ref": self.placed[key], **siblings}
            section = None
        elif key in self.placed:
            return {"$ref": self.placed[key], **siblings}
        if section is None:
            if key in stack or len(stack) >= MAX_REF_DEPTH:
                chain = " -> ".join(f"{name}#{pointer}" for name, pointer in (*stack, key))
                problem = "it forms a cycle" if key in stack else f"more than {MAX_REF_DEPTH} references deep"
                raise BundleError(f"{where}: $ref {shown_ref(ref)}: {problem}: {chain}")
            target = self._pointed(target_file, pointer, where, ref)
            resolved = self._walk(target, target_file, path, (*stack, key), _tokens(pointer))
            return {**resolved, **siblings} if isinstance(resolved, dict) and siblings else resolved
        name = self._name(section, target_file.name, pointer)
        prefix = "#/" if self.kind == "swagger" else "#/components/"
        self.placed[key] = f"{prefix}{section}/{_escape(name)}"
        target = self._pointed(target_file, pointer, where, ref)
        self.hoisted.setdefault(section, {})[name] = None  # keeps the order of first mention
        self.pending.append((section, name, target, target_file, _tokens(pointer)))
        return {"$ref": self.placed[key], **siblings}


def shown_ref(ref: str) -> str:
    """``ref`` for messages: a user name or password in a URL is replaced by ``***``."""
    return _USER_INFO.sub("//***@", ref)


def _tokens(pointer: str) -> list[Any]:
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:] if token]


def _escape(name: Any) -> str:
    return str(name).replace("~", "~0").replace("/", "~1")


def _dotted(path: list[Any]) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text
