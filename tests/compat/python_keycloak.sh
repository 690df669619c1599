#!/usr/bin/env bash
# python-keycloak 7.1.1's own integration tests, unchanged, against a fresh realmgate.
#
#   bash tests/compat/python_keycloak.sh [--checkout DIR] [--db sqlite|postgres] [--port N] [TEST_FILE...]
#
# --checkout: a python-keycloak checkout at v7.1.1 (its tests/ are not in the PyPI sdist);
#             without it the tag is cloned from GitHub into a temp directory.
# TEST_FILE:  paths relative to the checkout (default: the admin, connection and other non-UMA
#             files). Extra pytest arguments follow `--`.
# The library and its test dependencies get their own venv ($PK_VENV, default
# .venv/compat-python-keycloak); realmgate runs from the project's .venv. Prints pass/fail/error
# counts per test file and exits 0 whatever the counts (it measures, it does not gate).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=7.1.1
checkout=""
db=sqlite
files=()
pytest_args=()
port_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --checkout) checkout=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --port) port_args=(--port "$2"); shift 2 ;;
    --) shift; pytest_args=("$@"); break ;;
    *) files+=("$1"); shift ;;
  esac
done
if [ ${#files[@]} -eq 0 ]; then
  files=(tests/test_keycloak_admin.py tests/test_connection.py tests/test_exceptions.py
         tests/test_urls_patterns.py tests/test_license.py)
fi

if [ -z "$checkout" ]; then
  checkout=$(mktemp -d -t python-keycloak-XXXXXX)
  trap 'rm -rf "$checkout"' EXIT
  git clone --quiet --depth 1 --branch "v$VERSION" https://github.com/marcospereirampj/python-keycloak "$checkout"
fi

venv=${PK_VENV:-$ROOT/.venv/compat-python-keycloak}
if ! "$venv/bin/python" -c "import keycloak, pytest, freezegun, pytest_asyncio, cryptography" 2>/dev/null \
   || [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("python-keycloak"))')" != "$VERSION" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "python-keycloak==$VERSION" pytest pytest-asyncio freezegun cryptography
fi

"$ROOT/.venv/bin/python" "$ROOT/tests/compat/python_keycloak.py" \
  --checkout "$checkout" --db "$db" --python "$venv/bin/python" "${port_args[@]}" -- "${files[@]}" -- "${pytest_args[@]}"
