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
  # python-ldap (the ldapOrg provider) is built from source against OpenLDAP's libldap and Cyrus SASL.
  if [ ! -f /usr/include/ldap.h ] || [ ! -f /usr/include/sasl/sasl.h ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libldap2-dev libsasl2-dev >/dev/null
    else
      echo "scripts/_env.sh: python-ldap needs libldap2-dev and libsasl2-dev (apt-get install libldap2-dev libsasl2-dev)" >&2
    fi
  fi
  pip_install() { .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@"; }
  pip_install --require-hashes --no-deps -r "$lock"
  # Greenroom itself, built with the locked setuptools (no unpinned download for the build).
  pip_install --no-deps --no-build-isolation -e .
  .venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check >&2; exit 1; }
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
