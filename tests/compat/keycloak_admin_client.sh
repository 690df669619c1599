#!/usr/bin/env bash
# Keycloak's admin-client mocha suite (js/libs/keycloak-admin-client/test), unchanged, against a
# fresh realmgate, with the published @keycloak/keycloak-admin-client it is meant for.
#
#   bash tests/compat/keycloak_admin_client.sh [--checkout DIR] [--db sqlite|postgres] [--port N]
#        [--failures] [SPEC_FILE...] [-- MOCHA_ARGS...]
#
# --checkout: a Keycloak checkout at tag $VERSION holding js/libs/keycloak-admin-client (or that
#             folder itself); without it the tag is cloned (sparse, that folder only) into a temp
#             directory.
# SPEC_FILE:  names under test/ (default: every *.spec.ts, in name order).
# --port:     default 8180, the address the suite hard-codes (the client's default base URL).
# --failures: print each failing test with the first line of its error.
# The npm packages (tests/compat/keycloak_admin_client/package.json, locked) are installed with
# `npm ci` on first use. Prints tests/passed/failed/pending/not-run counts per spec file and exits
# 0 whatever the counts (it measures, it does not gate).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VERSION=26.4.2
NODE_DIR=$ROOT/tests/compat/keycloak_admin_client
checkout=""
passthrough=()
while [ $# -gt 0 ]; do
  case "$1" in
    --checkout) checkout=$2; shift 2 ;;
    --db|--port) passthrough+=("$1" "$2"); shift 2 ;;
    --failures) passthrough+=("$1"); shift ;;
    *) break ;;
  esac
done

if [ -z "$checkout" ]; then
  checkout=$(mktemp -d -t keycloak-XXXXXX)
  trap 'rm -rf "$checkout"' EXIT
  git clone --quiet --depth 1 --filter=blob:none --sparse --branch "$VERSION" \
    https://github.com/keycloak/keycloak "$checkout"
  git -C "$checkout" sparse-checkout set js/libs/keycloak-admin-client
fi

if [ ! -f "$NODE_DIR/node_modules/.package-lock.json" ] \
   || [ "$NODE_DIR/package-lock.json" -nt "$NODE_DIR/node_modules/.package-lock.json" ]; then
  (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi

"$ROOT/.venv/bin/python" "$ROOT/tests/compat/keycloak_admin_client.py" \
  --checkout "$checkout" --node-dir "$NODE_DIR" "${passthrough[@]}" -- "$@"
