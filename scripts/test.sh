#!/usr/bin/env bash
# The whole check, as CI runs it: install what the tests need, then lint, type-check, verify the
# layering contracts and run every test (SQLite and PostgreSQL).
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh tests/e2e  # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# 1. Python venv with the package (editable) and the test tools; reinstalled when pyproject changes.
if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.realmgate-pyproject.sha256
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ] || ! .venv/bin/python -c "import realmgate, pytest" 2>/dev/null; then
  log "installing realmgate[test] into .venv"
  .venv/bin/pip install --quiet --disable-pip-version-check -e '.[test]'
  echo "$want" > "$stamp"
fi

# 2. Debian's chromium for the browser tests (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing chromium (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: /usr/bin/chromium is missing and we are not root; browser tests will fail" >&2
  fi
fi

# 3. npm packages of the node-based test helpers (e.g. tests/e2e/node).
while IFS= read -r pkg; do
  dir=$(dirname "$pkg")
  if [ -f "$dir/package-lock.json" ]; then
    if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      log "npm ci in $dir"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    fi
  elif [ ! -d "$dir/node_modules" ] || [ "$pkg" -nt "$dir/node_modules" ]; then
    log "npm install in $dir"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
done < <(find tests -name package.json -not -path '*/node_modules/*' | sort)

# 4. Checks. Each runs even when an earlier one failed, so one run reports everything.
failed=()
step() {
  local name=$1; shift
  log "$name"
  local status=0
  "$@" || status=$?
  if [ "$name" = pytest ] && [ "$status" -eq 5 ]; then
    echo "pytest: no tests collected"
    status=0
  fi
  if [ "$status" -ne 0 ]; then failed+=("$name"); fi
}
step ruff .venv/bin/ruff check src tests bench scripts
step mypy .venv/bin/mypy  # files = src and tests, from pyproject.toml
step lint-imports .venv/bin/lint-imports
step pytest .venv/bin/pytest -q "$@"

if [ "${#failed[@]}" -ne 0 ]; then
  printf '\nFAILED: %s\n' "${failed[*]}"
  exit 1
fi
printf '\nall checks passed\n'
