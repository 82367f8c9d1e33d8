"""Acceptance: ``startplugin demo_plugin DIR && pip install -e DIR`` in a virtualenv shows the plugin's tab
and card, by ``GREENROOM_PLUGINS`` and by its entry point alone, beside a broken plugin, with no change
to any file of the checkout (``git status`` before and after)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CHECKS = REPO_ROOT / "tests" / "portal" / "plugin_venv_checks.py"


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return result


def git_status() -> str:
    return run("git", "status", "--porcelain", "--untracked-files=all", cwd=REPO_ROOT).stdout


def make_virtualenv(path: Path) -> Path:
    """A virtualenv that sees Greenroom's environment (pip, setuptools, Greenroom itself) through a .pth file.

    Its own ``pip install`` writes into it alone; nothing is downloaded.
    """
    run(sys.executable, "-m", "venv", "--without-pip", path, cwd=path.parent)
    python = path / "bin" / "python"
    own = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=path.parent).stdout.strip()
    host = sysconfig.get_path("purelib")
    Path(own, "greenroom-host.pth").write_text(f"import site; site.addsitedir({host!r})\n")
    return python


def test_startplugin_package_installs_with_pip_and_shows_its_tab_and_card(tmp_path):
    before = git_status()
    plugin = tmp_path / "demo"
    run(sys.executable, REPO_ROOT / "manage.py", "startplugin", "demo_plugin", plugin, cwd=tmp_path)
    python = make_virtualenv(tmp_path / "venv")
    run(
        python,
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-e",
        plugin,
        cwd=tmp_path,
    )
    broken = tmp_path / "broken" / "broken_plugin"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise RuntimeError('broken on purpose')\n")

    # SQLite under tmp_path, never the suite's database; the test database is reused by the later runs.
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "PYTHONPATH"}}
    env |= {"GREENROOM_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "portal.settings"}
    named = env | {"GREENROOM_PLUGINS": "demo_plugin,broken_plugin", "PYTHONPATH": str(broken.parent)}
    pytest_args = ("-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "--reuse-db")

    # The plugin's own tests: its tab on an entity page, its card on the home page, its action and collector.
    assert "7 passed" in run(python, *pytest_args, cwd=plugin, env=named).stdout
    check = run(python, REPO_ROOT / "manage.py", "check", cwd=tmp_path, env=named)
    assert "plugin broken_plugin (GREENROOM_PLUGINS) was not loaded: RuntimeError: broken on purpose" in check.stderr
    run(python, *pytest_args, CHECKS, cwd=REPO_ROOT, env=named)
    # By the entry point alone: the same card and tab, and no broken plugin.
    run(python, *pytest_args, CHECKS, cwd=REPO_ROOT, env=env)

    assert git_status() == before
