"""One command from a fresh checkout to a working portal: database, demo catalog, worker, web server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.services.demo_account import DEMO_USERNAME, create_demo_admin

DEMO_CATALOG = Path(settings.BASE_DIR) / "catalog" / "demo" / "catalog-info.yaml"


class Command(BaseCommand):
    help = (
        "Run Greenroom: apply migrations, load the demo catalog, start a Celery worker (with the "
        "periodic scheduler) and the web server, and print the URL. Ctrl-C stops everything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("GREENROOM_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("GREENROOM_PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo catalog")
        parser.add_argument("--no-worker", action="store_true", help="do not start a Celery worker")

    def handle(self, *args, host: str, port: int, web_workers: int, no_demo: bool, no_worker: bool, **options):
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write("database ready")
        call_command("catalog_refresh", all=True, background=True, stdout=self.stdout, stderr=self.stderr)
        if settings.CATALOG["LOAD_DEMO"] and not no_demo:
            _enable_demo_publisher()
            call_command("load_demo", stdout=self.stdout)
            call_command("load_demo_radar", stdout=self.stdout)
            call_command("load_soundcheck_defaults", evaluate=True, stdout=self.stdout)
        demo_password = create_demo_admin() if settings.CATALOG["LOAD_DEMO"] and not no_demo else None
        processes: list[subprocess.Popen] = []
        if not no_worker:
            processes.append(self._start_worker())
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    # gthread workers, as in production: a long event stream (the scaffolder's, up to
                    # 5 minutes) holds one thread, and the worker's heartbeat goes on beside it.
                    "-c",
                    str(Path(settings.BASE_DIR) / "deploy" / "gunicorn.conf.py"),
                    "portal.wsgi:application",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(web_workers),
                    "--access-logfile",
                    "-",
                ]
            )
        )
        self.stdout.write(self.style.SUCCESS(f"Greenroom is running at http://{host}:{port}/  (Ctrl-C stops it)"))
        if demo_password:
            self.stdout.write(
                f"Sign in at http://{host}:{port}/accounts/login/ as {DEMO_USERNAME!r} with the password "
                f"{demo_password}  (shown this once; change it at /accounts/password/change/)"
            )
        self._wait(processes)

    def _start_worker(self) -> subprocess.Popen:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--beat",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--schedule",
                settings.CELERY_BEAT_SCHEDULE_FILENAME,
            ]
        )

    def _wait(self, processes: list[subprocess.Popen]) -> None:
        # A service manager stops us with SIGTERM: treat it like Ctrl-C so the children stop too.
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


def _enable_demo_publisher() -> None:
    """The demo templates publish to bare repositories under the data folder (docs/scaffolder.md): the
    worker and web processes started next turn the demo publisher on, unless the operator said otherwise."""
    os.environ.setdefault("SCAFFOLDER_DEMO_PUBLISHER", "true")


def _raise_keyboard_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
