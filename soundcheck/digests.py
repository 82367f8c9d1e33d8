"""Fingerprints of an entity's outcomes, so a full evaluation skips entities whose results are unchanged.

The fingerprint covers everything stored for the entity: each check's state and message and each
track's level and owner, in id order. It is the same in every process (BLAKE2b over ``repr`` of
ints and strings, never Python's salted ``hash``). A stored fingerprint that differs, or is missing,
sends the entity down the exact path (read its results, write what changed, store the new one);
a stale fingerprint can therefore only cost time, never skip a needed write, as long as every
writer of results also writes the fingerprint in the same transaction (``services.results``) or
removes it (``services.evaluations.delete_results``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from .models import EntityDigest

# (check id, state, message) for each check, and (track id, level, owner ref) for each track.
CheckOutcome = tuple[int, str, str]
TrackOutcome = tuple[int, int, str]


def check_token(check_id: int, state: str, message: str) -> bytes:
    """The fingerprint of one check outcome: computed once per distinct outcome (evaluation memoises
    it with the outcome), so an entity's fingerprint is a hash of 16-byte tokens, not of its text."""
    return hashlib.blake2b(repr((check_id, state, message)).encode(), digest_size=16).digest()


def digest_of_tokens(check_tokens: Sequence[bytes], tracks: Sequence[TrackOutcome]) -> str:
    """The fingerprint of one entity from its check tokens and track outcomes (both in id order)."""
    fingerprint = hashlib.blake2b(b"".join(check_tokens), digest_size=16)
    fingerprint.update(repr(tuple(tracks)).encode())
    return fingerprint.hexdigest()


def outcome_digest(checks: Sequence[CheckOutcome], tracks: Sequence[TrackOutcome]) -> str:
    """The fingerprint of one entity's outcomes (both lists in id order, states as plain strings:
    ``repr`` of an enum member is not that of its value)."""
    return digest_of_tokens([check_token(*check) for check in checks], tracks)


def stored_digests(refs: Sequence[str]) -> dict[str, str]:
    """ref -> stored fingerprint, for those of ``refs`` that have one: one query."""
    return dict(EntityDigest.objects.filter(entity_ref__in=list(refs)).values_list("entity_ref", "digest"))


def stored_fingerprints(refs: Sequence[str]) -> dict[str, tuple[str, str, datetime | None, int]]:
    """ref -> (digest, inputs, expires_at, errors) stored, for those of ``refs`` that have one: one query."""
    rows = EntityDigest.objects.filter(entity_ref__in=list(refs))
    columns = ("entity_ref", "digest", "inputs", "expires_at", "errors")
    return {ref: tuple(rest) for ref, *rest in rows.values_list(*columns)}
