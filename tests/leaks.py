"""Looking for a credential where it must never be: other processes' command lines and the database."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.db import connection


class CommandLineWatcher:
    """Reads every ``/proc/*/cmdline`` in a loop, in a thread, and keeps those of git processes.

    Used as a context manager around the work that runs git; ``git_command_lines`` then holds each
    distinct git command line seen, so a test can check both that git ran and what it was given.
    """

    def __init__(self) -> None:
        self.git_command_lines: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> CommandLineWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        own = str(os.getpid())
        while not self._stop.is_set():
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit() or entry.name == own:
                    continue
                try:
                    raw = (entry / "cmdline").read_bytes()
                except OSError:
                    continue  # the process ended between listing and reading
                words = raw.rstrip(b"\0").split(b"\0")
                if words and b"git" in Path(words[0].decode("utf-8", "replace")).name.encode():
                    self.git_command_lines.add(" ".join(word.decode("utf-8", "replace") for word in words))
            # Short enough to catch each git process of a clone (they live tens of milliseconds), long
            # enough to leave the GIL and a core to the work being watched.
            time.sleep(0.002)


def database_text() -> str:
    """Everything the test database holds, as text: ``pg_dump`` on PostgreSQL, every row on SQLite.

    Only committed rows are visible to ``pg_dump``, so callers use ``django_db(transaction=True)``.
    """
    if connection.vendor == "postgresql":
        if shutil.which("pg_dump") is None:
            if os.environ.get("CI"):
                pytest.fail("pg_dump not installed (CI must have it)")
            pytest.skip("pg_dump not installed")
        options = connection.settings_dict
        command = ["pg_dump", "-h", options["HOST"] or "127.0.0.1", "-U", options["USER"] or "postgres"]
        if options.get("PORT"):
            command += ["-p", str(options["PORT"])]
        environment = {**os.environ, "PGPASSWORD": options.get("PASSWORD") or ""}
        done = subprocess.run([*command, options["NAME"]], capture_output=True, env=environment, check=True)
        return done.stdout.decode("utf-8", "replace")
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # names come from the schema itself
            rows += [f"{table}: {row!r}" for row in cursor.fetchall()]
    return "\n".join(rows)
