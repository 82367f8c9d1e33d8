"""Where the test corpora live: the project's own fixtures, and Backstage's files when they sit beside it.

``tests/fixtures/`` is written for the project and covers every rule the tests check, so a fresh clone
needs nothing beside it. ``../shared/conformance`` (present in CI and the team workspace) holds
Backstage's own files. Tests that only make sense on it live in ``test_shared_*.py`` modules, which
``tests/conftest.py`` does not collect when it is absent; tests that run on both get one parameter
per corpus. Either way they carry the ``shared_corpus`` marker, so the run can say how many ran.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SHARED_CONFORMANCE = REPO_ROOT.parent / "shared" / "conformance"
HAS_SHARED = SHARED_CONFORMANCE.is_dir()
# Set to 1 where the corpus must be present (a CI machine that has ../shared): its absence is then an error.
REQUIRE_SHARED = os.environ.get("GREENROOM_REQUIRE_SHARED_CORPUS", "") == "1"
SHARED_MARK = "shared_corpus"


def corpus_params(own: Any, shared: Any = None) -> list[Any]:
    """Parameters for a test that runs on the in-repo fixtures and, when present, on the shared corpus.

    ``shared`` may be a callable, called only when the corpus is there (so nothing reads a missing path).
    """
    params = [pytest.param(own, id="fixtures")]
    if HAS_SHARED and shared is not None:
        value = shared() if callable(shared) else shared
        params.append(pytest.param(value, id="shared", marks=pytest.mark.shared_corpus))
    return params


def per_file(corpora: list[Any], files: Any) -> list[Any]:
    """One parameter ``(corpus, relative)`` per file ``files(corpus)`` names, keeping each corpus's marks."""
    return [
        pytest.param(param.values[0], relative, id=f"{param.id}:{relative}", marks=param.marks)
        for param in corpora
        for relative in files(param.values[0])
    ]
