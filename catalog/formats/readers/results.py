"""Value types shared by the location readers: what was read, what failed, and the limits applied."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .gitssh import SshCredential


@dataclass(frozen=True)
class SourceRoot:
    """The boundary a file was read inside, kept so relative targets stay within it.

    For a ``file`` location, ``base`` is the absolute directory of the registered file (or of a glob's
    non-magic prefix). For a git location, ``base`` is the clone URL, and ``commit`` and ``branch``
    name the exact tree the file came from.
    """

    kind: str  # "file" or "git"
    base: str
    commit: str | None = None
    branch: str | None = None
    style: str = "generic"  # how git file location keys are spelled; see ``targets.GitTarget``
    web_base: str | None = None


@dataclass(frozen=True)
class SourceFile:
    """One file read from a location.

    ``location_key`` is the location ref of the file itself (``file:/abs/path`` or ``url:...``), the
    value the catalog records as ``backstage.io/managed-by-location`` for what the file emits.
    """

    location_key: str
    path: str
    data: bytes
    root: SourceRoot | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ReadError:
    """A failure to read one target; ``message`` names the target so it can be shown to its owner."""

    location_key: str
    message: str


@dataclass
class ReadResult:
    """Everything one read produced: files found, errors met, and the git commit read (if any)."""

    files: list[SourceFile] = field(default_factory=list)
    errors: list[ReadError] = field(default_factory=list)
    commit: str | None = None

    def fail(self, location_key: str, message: str) -> ReadResult:
        """Record an error and return the result, so refusals read as one line."""
        self.errors.append(ReadError(location_key, message))
        return self


@dataclass(frozen=True)
class HttpCredential:
    """What git over HTTPS sends to one host, from the integration (``label``) configured for it.

    ``host`` is a host name, or ``host:port`` to match that port only. ``authorization`` is the
    ``Authorization`` header's value; None when the integration has no usable credential. It is
    kept out of the repr so a logged policy shows no credential.
    """

    host: str
    label: str
    authorization: str | None = field(default=None, repr=False)
    # A credential worked out per repository (a GitHub App's installation token for its owner);
    # consulted first, ``authorization`` being the fallback when it has none for a URL.
    source: AuthorizationSource | None = field(default=None, repr=False, compare=False)

    def authorization_for(self, url: str) -> str | None:
        """The ``Authorization`` value for ``url``; the source's failures raise ``GitError``."""
        if self.source is not None:
            found = self.source.authorization(url)
            if found is not None:
                return found
        return self.authorization

    @property
    def configured(self) -> bool:
        """Whether the integration has any credential for git over HTTPS."""
        return self.authorization is not None or self.source is not None

    def secrets(self) -> tuple[str | None, ...]:
        """Every ``Authorization`` value this credential has handed out, for redaction."""
        return (self.authorization, *(self.source.issued() if self.source is not None else ()))


class AuthorizationSource(Protocol):
    """Works out an ``Authorization`` value per URL; implemented outside ``catalog.formats``."""

    def authorization(self, url: str) -> str | None: ...

    def issued(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class ReaderPolicy:
    """Limits and permissions for reading locations; built from settings by the caller."""

    cache_dir: Path
    max_file_bytes: int = 256 * 1024 * 1024
    max_files: int = 20_000
    git_timeout_seconds: int = 120
    allow_local_git: bool = True
    allowed_hosts: tuple[str, ...] = ()
    allow_private_addresses: bool = False
    # Bounds the memory one read can take, since max_files * max_file_bytes alone allows ~80 GiB.
    max_total_bytes: int = 256 * 1024 * 1024
    # Local targets (see ``local_targets``): whether this read's target comes from settings or a
    # platform admin, and the directories such targets must resolve inside (None: not checked).
    local_trusted: bool = True
    local_roots: tuple[str, ...] | None = None
    # The integrations' credentials for git over HTTPS (``githttp``), first per host.
    http_credentials: tuple[HttpCredential, ...] = dataclasses.field(default=(), repr=False)
    # A PEM file of CAs trusted besides the system's, for hosts with a private CA (GREENROOM_CA_BUNDLE).
    ca_bundle: str | None = None
    # Deploy keys and pinned host keys for git over SSH (``gitssh``), by host.
    ssh_credentials: tuple[SshCredential, ...] = dataclasses.field(default=(), repr=False)

    def for_content(self) -> ReaderPolicy:
        """The policy for targets a file names itself (Location entities, annotations): never trusted."""
        return dataclasses.replace(self, local_trusted=False)
