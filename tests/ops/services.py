"""Private PostgreSQL and Redis servers on free loopback ports, for the fault tests.

Each server lives in its own temporary folder and can be stopped and started again on the same port
with the same data, so a test can take it away from a running Greenroom and give it back. The
machine's shared servers are never touched. Servers are always killed when their context ends, even
when the test fails.

PostgreSQL refuses to run as root: when the tests run as root the folder is given to the
``postgres`` user and the server runs as that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tests.ops.cluster import free_port

POSTGRES_BIN = Path(os.environ.get("GREENROOM_TEST_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server") or ""
START_SECONDS = 30
STOP_SECONDS = 30


def missing_servers() -> str:
    """Why the fault tests cannot run here ("" when they can): the server binaries they start."""
    missing = []
    if not (POSTGRES_BIN / "initdb").exists() or not (POSTGRES_BIN / "postgres").exists():
        missing.append(f"PostgreSQL server binaries (initdb, postgres) in {POSTGRES_BIN}")
    if not REDIS_SERVER:
        missing.append("redis-server on PATH")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            missing.append("a postgres user (PostgreSQL refuses to run as root)")
    return "; ".join(missing)


class Server(ABC):
    """One server process that can be stopped and started again on the same port and data."""

    name = "server"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = root / f"{self.name}.log"

    @property
    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @abstractmethod
    def command(self) -> list[str]:
        """The server's command line."""

    def popen_options(self) -> dict:
        return {}

    @abstractmethod
    def is_ready(self) -> bool:
        """Whether the server answers yet."""

    def start(self) -> None:
        """Start the server and wait until it answers."""
        if self.is_running:
            raise RuntimeError(f"{self.name} on port {self.port} is already running")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **self.popen_options()
        )
        deadline = time.monotonic() + START_SECONDS
        while not self.is_ready():
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer within {START_SECONDS} s:\n{self.log()}")
            time.sleep(0.1)

    def stop(self) -> None:
        """Shut the server down cleanly (its clients' connections break) and wait for it to exit."""
        if not self.is_running:
            return
        self.process.send_signal(self.stop_signal)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill()

    stop_signal = signal.SIGTERM

    def kill(self) -> None:
        """SIGKILL the server's whole process group (a postmaster's children too)."""
        if self.process is None or self.process.returncode is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_SECONDS)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""


class PrivatePostgres(Server):
    """A PostgreSQL 15 cluster made with initdb in a temporary folder; trust authentication on loopback."""

    name = "postgres"
    # SIGINT is PostgreSQL's "fast" shutdown: it ends every session, as a restart for an upgrade does.
    stop_signal = signal.SIGINT

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.data_dir = root / "data"
        self.socket_dir = root / "socket"
        self.as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def popen_options(self) -> dict:
        if not self.as_postgres:
            return {}
        return {"user": "postgres", "group": "postgres", "extra_groups": [], "cwd": str(self.root)}

    def init(self) -> None:
        self.socket_dir.mkdir()
        self.log_path.touch()
        if self.as_postgres:
            account = pwd.getpwnam("postgres")
            for path in (self.root, self.socket_dir, self.log_path):
                os.chown(path, account.pw_uid, account.pw_gid)
        subprocess.run(
            [str(POSTGRES_BIN / "initdb"), "-D", str(self.data_dir), "-U", "postgres", "-A", "trust",
             "-E", "UTF8", "--locale", "C", "--no-sync", "--no-instructions"],
            check=True, capture_output=True, timeout=120, **self.popen_options(),
        )  # fmt: skip

    def command(self) -> list[str]:
        return [
            str(POSTGRES_BIN / "postgres"), "-D", str(self.data_dir), "-p", str(self.port),
            "-k", str(self.socket_dir), "-c", "listen_addresses=127.0.0.1",
            # Throwaway data: durability costs time and buys nothing here.
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        ]  # fmt: skip

    def is_ready(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
        except psycopg.OperationalError:
            return False
        return True


class PrivateRedis(Server):
    """A redis-server keeping nothing on disk: a restart forgets every queued message (the worst case)."""

    name = "redis"

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def command(self) -> list[str]:
        return [
            REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.root),
        ]  # fmt: skip

    def is_ready(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False
        finally:
            client.close()


def _temporary_root(prefix: str) -> Path:
    # Not pytest's tmp_path: its parent folders are private to root, and PostgreSQL runs as postgres.
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)
    return root


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running private PostgreSQL; killed and deleted when the context ends."""
    server = PrivatePostgres(_temporary_root("greenroom-fault-pg-"))
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(server.root, ignore_errors=True)


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A running private redis-server; killed and deleted when the context ends."""
    server = PrivateRedis(_temporary_root("greenroom-fault-redis-"))
    try:
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(server.root, ignore_errors=True)
