# Shared by scripts/portal, scripts/test and scripts/benchmark: a virtualenv with Greenroom installed
# from the locked dependency set (requirements/dev.txt, hashes checked), so every machine runs exactly
# what CI tested. scripts/lock writes the lock; scripts/test-latest tries the newest versions.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Reinstall only when the lock or pyproject.toml changed since the last install.
stamp=.venv/.greenroom-installed
lock=requirements/dev.txt
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ "$lock" -nt "$stamp" ]; then
  pip_install() { .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@"; }
  pip_install --require-hashes --no-deps -r "$lock"
  # Greenroom itself, built with the locked setuptools (no unpinned download for the build).
  pip_install --no-deps --no-build-isolation -e .
  .venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check >&2; exit 1; }
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
