"""Production settings: the deploy check is clean, secrets come from the environment, every variable is documented."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SETTINGS_SOURCES = ["portal/settings.py", "portal/conf/apps.py", "portal/conf/schedule.py", "portal/sso.py"]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment docs/deploy.md gives a production web process, with a throwaway data dir."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "SECURE_", "GREENROOM_"))}
    env.update(
        DEBUG="0",
        GREENROOM_HTTPS="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="greenroom.example.com",
        GREENROOM_DATA_DIR=str(tmp_path / "data"),
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_flags_laptop_defaults(tmp_path):
    env = production_env(tmp_path)
    for name in ("GREENROOM_HTTPS", "SECRET_KEY"):
        del env[name]

    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 1
    for warning in ("security.W004", "security.W008", "security.W009", "security.W012", "security.W016"):
        assert warning in result.stderr


def test_https_without_secret_key_refuses_to_start(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    result = manage(env, "check")

    assert result.returncode == 1
    assert "GREENROOM_HTTPS is on but SECRET_KEY is not set" in result.stderr


def test_malformed_variable_is_named(tmp_path):
    result = manage(production_env(tmp_path, SECURE_HSTS_SECONDS="a year"), "check")

    assert result.returncode == 1
    assert "SECURE_HSTS_SECONDS='a year' is not a whole number" in result.stderr


def variables_read() -> set[str]:
    """Every environment variable named in the settings modules."""
    names: set[str] = set()
    for source in SETTINGS_SOURCES:
        text = (REPO_ROOT / source).read_text(encoding="utf-8")
        names |= set(re.findall(r'env_(?:str|int|bool|list)\(\s*"([A-Z0-9_]+)"', text))
        names |= {
            f"AUTH_{prefix}_{suffix}"
            for prefix in re.findall(r'_app\(environ, "([A-Z]+)"\)', text)
            for suffix in ("CLIENT_ID", "CLIENT_SECRET")
        }
        names |= set(re.findall(r'_value\(environ, "([A-Z0-9_]+)"\)', text))
    return names


def test_settings_reference_lists_every_variable():
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`", (REPO_ROOT / "docs/settings.md").read_text(), re.MULTILINE))

    read = variables_read()

    assert len(read) > 60
    assert read - documented == set()
