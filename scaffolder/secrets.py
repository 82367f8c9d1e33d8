"""Secret inputs: encrypted at rest for the short life of a run, masked everywhere else.

The key is derived from ``SECRET_KEY``; the ciphertext is erased when the run ends. Every log line
passes through ``redact`` so a secret echoed by a step (``debug:log``) never reaches the database.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

MASK = "***"


def _fernet() -> Fernet:
    digest = hashlib.sha256(f"greenroom.scaffolder.secrets:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(secrets: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(secrets).encode()).decode() if secrets else ""


def decrypt(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return {}


def split_values(values: dict[str, Any], secret_fields: Iterable[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``values`` with secret fields (dotted names) masked, and the secret values by dotted name."""
    stored = json.loads(json.dumps(values))
    secrets: dict[str, Any] = {}
    for name in secret_fields:
        *parents, leaf = name.split(".")
        holder = stored
        for part in parents:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict) and holder.get(leaf) not in (None, ""):
            secrets[name] = holder[leaf]
            holder[leaf] = MASK
    return stored, secrets


def restore_values(stored: dict[str, Any], secrets: dict[str, Any]) -> dict[str, Any]:
    """The values as entered: ``split_values`` undone, in memory only."""
    values = json.loads(json.dumps(stored))
    for name, secret in secrets.items():
        *parents, leaf = name.split(".")
        holder = values
        for part in parents:
            holder = holder.setdefault(part, {}) if isinstance(holder, dict) else {}
        if isinstance(holder, dict):
            holder[leaf] = secret
    return values


def secret_texts(secrets: dict[str, Any]) -> list[str]:
    """Every secret as text, for ``redact``."""
    return [value if isinstance(value, str) else json.dumps(value) for value in secrets.values()]


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted({value for value in secrets if value and len(value) >= 3}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
