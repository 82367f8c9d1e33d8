"""The slapd the LDAP tests start (benchmarks/catalog/slapd.py), skipped only where it may be."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from benchmarks.catalog.slapd import ROOT_DN, SLAPD, SUFFIX, TlsFiles, make_tls_files
from benchmarks.catalog.slapd import SlapdServer as _SlapdServer

__all__ = ["ROOT_DN", "SUFFIX", "SlapdServer", "TlsFiles", "make_tls_files", "require_slapd"]


def require_slapd() -> str:
    """The slapd binary; skips without it, except under CI where it must be installed."""
    if SLAPD is None or shutil.which("ldapsearch") is None:
        if os.environ.get("CI"):
            pytest.fail("slapd and ldap-utils are not installed (scripts/test installs them)")
        pytest.skip("slapd and ldap-utils are not installed")
    return SLAPD


def SlapdServer(folder: Path, **options) -> _SlapdServer:
    """A server in ``folder``, once slapd is known to be installed."""
    require_slapd()
    return _SlapdServer(folder, **options)
