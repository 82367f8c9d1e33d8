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
  # python-ldap (the ldapOrg provider's extra) is built from source against OpenLDAP's libldap and
  # Cyrus SASL: installed when they and a C compiler are there (as root they are installed first);
  # otherwise the portal is installed without it and ldapOrg names what to install (docs/ldap.md).
  ldap_build_tools() { [ -f /usr/include/ldap.h ] && [ -f /usr/include/sasl/sasl.h ] && command -v cc >/dev/null 2>&1; }
  if ! ldap_build_tools && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libldap2-dev libsasl2-dev gcc >/dev/null
  fi
  if ldap_build_tools; then
    pip_install --require-hashes --no-deps -r "$lock"
  else
    echo "scripts/_env.sh: python-ldap left out (it needs libldap2-dev, libsasl2-dev and a C compiler):" \
      "everything runs but the ldapOrg provider; install those, delete $stamp and run this again" >&2
    awk '/^python-ldap==/ { skip = 1 } skip && !/\\$/ { skip = 0; next } !skip' "$lock" > .venv/lock-without-ldap.txt
    pip_install --require-hashes --no-deps -r .venv/lock-without-ldap.txt
  fi
  # Greenroom itself, built with the locked setuptools (no unpinned download for the build).
  pip_install --no-deps --no-build-isolation -e .
  .venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check >&2; exit 1; }
  touch "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
