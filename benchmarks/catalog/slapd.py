"""A real OpenLDAP ``slapd`` for the LDAP benchmark and tests: own config and data in a temporary folder,
on a free loopback port.

Started with ``slapd -f slapd.conf -h ldap://127.0.0.1:PORT/``; the system's slapd configuration is
never read or touched. Bulk data goes in with ``slapadd`` before the server starts (seconds for
thousands of entries); later changes go through ``ldapadd``/``ldapdelete`` against the running server.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SLAPD = shutil.which("slapd") or ("/usr/sbin/slapd" if Path("/usr/sbin/slapd").exists() else None)
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")
SUFFIX = "dc=example,dc=org"
ROOT_DN = f"cn=admin,{SUFFIX}"


def slapd_binary() -> str:
    """The slapd binary; ``RuntimeError`` when slapd or ldap-utils is not installed."""
    if SLAPD is None or shutil.which("ldapsearch") is None:
        raise RuntimeError("slapd and ldap-utils are not installed (apt-get install slapd ldap-utils)")
    return SLAPD


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class TlsFiles:
    ca: Path
    cert: Path
    key: Path


def make_tls_files(folder: Path) -> TlsFiles:
    """A self-signed CA and a server certificate for 127.0.0.1 signed by it, made with openssl."""
    folder.mkdir(parents=True, exist_ok=True)
    names = ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    ca_key, ca, key, csr, cert = (folder / name for name in names)
    run = lambda *args: subprocess.run(args, check=True, capture_output=True)  # noqa: E731
    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Test LDAP CA",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
    )
    run(
        "openssl",
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        str(key),
        "-out",
        str(csr),
    )
    extensions = folder / "san.cnf"
    extensions.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run(
        "openssl",
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        str(extensions),
        "-out",
        str(cert),
    )
    key.chmod(0o600)
    return TlsFiles(ca=ca, cert=cert, key=key)


class SlapdServer:
    """One slapd process holding ``dc=example,dc=org``, administered as ``cn=admin`` with ``password``."""

    def __init__(self, folder: Path, *, password: str, tls: TlsFiles | None = None, memberof: bool = False) -> None:
        self.binary = slapd_binary()
        self.folder = folder
        self.password = password
        self.tls = tls
        self.memberof = memberof
        self.port = free_port()
        self.url = f"ldap://127.0.0.1:{self.port}"
        # With certificates the server also listens for LDAPS (TLS from the first byte).
        self.ldaps_url = f"ldaps://127.0.0.1:{free_port()}" if tls is not None else None
        self.process: subprocess.Popen | None = None
        (folder / "data").mkdir(parents=True, exist_ok=True)
        self.config = folder / "slapd.conf"
        self.config.write_text(self._config_text())

    def _config_text(self) -> str:
        lines = [f"include /etc/ldap/schema/{name}.schema" for name in SCHEMAS]
        lines += [
            f"pidfile {self.folder / 'slapd.pid'}",
            "modulepath /usr/lib/ldap",
            "moduleload back_mdb",
            *(["moduleload memberof"] if self.memberof else []),
            "sizelimit unlimited",
        ]
        if self.tls is not None:
            lines += [
                f"TLSCACertificateFile {self.tls.ca}",
                f"TLSCertificateFile {self.tls.cert}",
                f"TLSCertificateKeyFile {self.tls.key}",
            ]
        lines += [
            "database mdb",
            "maxsize 268435456",
            f'suffix "{SUFFIX}"',
            f'rootdn "{ROOT_DN}"',
            f"rootpw {self.password}",
            f"directory {self.folder / 'data'}",
            "index objectClass eq",
            "index uid,cn eq",
            *(["overlay memberof"] if self.memberof else []),
        ]
        return "\n".join(lines) + "\n"

    def slapadd(self, ldif: str) -> None:
        """Load entries offline (before ``start``)."""
        path = self.folder / "bulk.ldif"
        path.write_text(ldif)
        subprocess.run(
            [self.binary.replace("slapd", "slapadd"), "-q", "-f", str(self.config), "-l", str(path)],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "-d", "0", "-f", str(self.config), "-h", " ".join(f"{url}/" for url in self._urls())],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited: {self.process.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("slapd did not start listening within 15 seconds")

    def _urls(self) -> list[str]:
        return [self.url, *([self.ldaps_url] if self.ldaps_url else [])]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def tool(self, name: str, *args: str, stdin: str | None = None) -> str:
        """Run ``ldapsearch``/``ldapadd``/``ldapdelete`` as the admin; the password goes in a file, not argv."""
        secret = self.folder / "admin.pw"
        secret.write_text(self.password)
        secret.chmod(0o600)
        result = subprocess.run(
            [name, "-x", "-H", self.url, "-D", ROOT_DN, "-y", str(secret), *args],
            input=stdin,
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout
