"""Greenroom as several processes on loopback: its own PostgreSQL database, gunicorn web processes and
Celery workers, for the scale tests. Each cluster makes a database with a unique name and a unique
Celery queue (on Redis db 6), and drops the database when it stops; it never touches another one.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.corpus import SHARED_CONFORMANCE as CONFORMANCE
from tests.workers import local_targets_env

REPO_ROOT = Path(__file__).resolve().parents[2]


def is_configured() -> bool:
    """True where DATABASE_URL is PostgreSQL and REDIS_URL is set (CI)."""
    database = os.environ.get("DATABASE_URL", "")
    return database.startswith(("postgres://", "postgresql://")) and bool(os.environ.get("REDIS_URL"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process {process.args[:4]} exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listened on port {port} within {seconds} s")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def with_redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


@dataclass
class Cluster:
    """The processes of one test run; ``env`` is what each of them (and ``manage``) gets."""

    root: Path
    database_url: str
    redis_url: str
    extra_env: dict[str, str] = field(default_factory=dict)
    name: str = field(default_factory=lambda: f"greenroom_scale_{uuid.uuid4().hex[:12]}")
    processes: list[subprocess.Popen] = field(default_factory=list)
    workers: list[subprocess.Popen] = field(default_factory=list)
    web_ports: list[int] = field(default_factory=list)
    token: str = ""

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": with_database(self.database_url, self.name),
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            # Its own queue: a worker of another run on the same Redis never takes these jobs.
            "CELERY_QUEUE": self.name,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DEBUG": "false",
            "SECRET_KEY": "scale-test-" + "x" * 50,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "GREENROOM_DATA_DIR": str(self.root / "data"),
            "GREENROOM_LOAD_DEMO": "false",
            # The cluster reads the test's files and local repositories under its root.
            **local_targets_env([self.root, CONFORMANCE]),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    def admin_sql(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(with_database(self.database_url, "postgres"), autocommit=True) as conn:
            conn.execute(statement)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows from the cluster's database (read outside any Greenroom process)."""
        import psycopg

        with psycopg.connect(self.env["DATABASE_URL"], autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()

    def manage(self, *args: str, stdin: str | None = None, timeout: float = 180) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO_ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self, *, web: int = 2, workers: int = 2, concurrency: int = 2, beat: bool = False) -> None:
        (self.root / "data").mkdir(parents=True, exist_ok=True)
        self.admin_sql(f'CREATE DATABASE "{self.name}"')
        self.manage("migrate", "--noinput")
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        for index in range(web):
            port = free_port()
            process = self._spawn(
                [
                    "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "portal.wsgi:application",
                    "--bind", f"127.0.0.1:{port}", "--workers", "1", "--log-level", "warning",
                ],
                logs / f"web{index}.log",
            )  # fmt: skip
            wait_for_port(port, process)
            self.web_ports.append(port)
        for _ in range(workers):
            self.start_worker(concurrency)
        if beat:
            self._spawn(
                ["-m", "celery", "-A", "portal", "beat", "--loglevel", "WARNING",
                 "--schedule", str(self.root / "celerybeat-schedule")],
                logs / "beat.log",
            )  # fmt: skip

    def start_worker(self, concurrency: int = 2) -> subprocess.Popen:
        """One more Celery worker (as an orchestrator starts one in place of a dead one)."""
        index = len(self.workers)
        worker = self._spawn(
            [
                "-m", "celery", "-A", "portal", "worker", "--loglevel", "WARNING",
                "--concurrency", str(concurrency), "--hostname", f"w{index}-{self.name}@%h", "--without-gossip",
                "--without-mingle",
            ],
            self.root / "logs" / f"worker{index}.log",
        )  # fmt: skip
        self.workers.append(worker)
        return worker

    def kill_worker(self, worker: subprocess.Popen) -> None:
        """SIGKILL a worker and its pool processes at once, as a node or container dying does."""
        family = [worker.pid, *child_pids(worker.pid)]
        for pid in family:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def _spawn(self, args: list[str], log: Path) -> subprocess.Popen:
        handle = log.open("ab")
        process = subprocess.Popen(
            [sys.executable, *args], cwd=REPO_ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        self.admin_sql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def logs(self) -> str:
        paths = sorted((self.root / "logs").glob("*"))
        return "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}" for path in paths)

    def request(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        *,
        web: int = 0,
        timeout: float = 60,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, object]:
        """One API call to web process ``web`` with the cluster's token; (status, JSON or text)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.web_ports[web]}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")


def child_pids(pid: int) -> list[int]:
    """Every descendant of ``pid`` (Linux /proc), children first."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *child_pids(child)]
    return found


def wait_until(check, seconds: float, message: str, interval: float = 0.5):
    """Poll ``check`` until it returns something truthy; fail naming ``message`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} (not within {seconds} s)")
        time.sleep(interval)
