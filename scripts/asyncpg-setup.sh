#!/usr/bin/env bash
# Makes a Python with asyncpg for poolcheck's asyncpg bridge, and prints its path.
#
#   scripts/asyncpg-setup.sh     create the venv if needed, pip-install asyncpg into it from the
#                                configured package index, print the venv's python on stdout
#
# The venv lives in node_modules/.cache/poolcheck-asyncpg-venv: node_modules is already ignored and
# thrown away by `npm ci`, so a fresh checkout never carries a stale venv, and the project's own
# files still make it again. POOLCHECK_PYTHON, if set, is used as is instead (it must import asyncpg).
# Idempotent: a venv whose python already imports asyncpg is reused as it is.
# Exits 3, with the reason on stderr, when no Python 3.9+ or no asyncpg can be had; callers skip on that.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=node_modules/.cache/poolcheck-asyncpg-venv
ASYNCPG_SPEC=${POOLCHECK_ASYNCPG_SPEC:-asyncpg}

say() { echo "asyncpg-setup.sh: $*" >&2; }
has_asyncpg() { "$1" -c 'import asyncpg' >/dev/null 2>&1; }

if [[ -n "${POOLCHECK_PYTHON:-}" ]]; then
  if has_asyncpg "$POOLCHECK_PYTHON"; then echo "$POOLCHECK_PYTHON"; exit 0; fi
  say "POOLCHECK_PYTHON=$POOLCHECK_PYTHON cannot import asyncpg; install it there or unset POOLCHECK_PYTHON"
  exit 3
fi

PY="$PWD/$VENV/bin/python"
if [[ -x "$PY" ]] && has_asyncpg "$PY"; then echo "$PY"; exit 0; fi

BASE=$(command -v python3 || true)
if [[ -z "$BASE" ]]; then say "no python3 on PATH; install Python 3.9 or later"; exit 3; fi
if ! "$BASE" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)'; then
  say "$BASE is $("$BASE" --version 2>&1); asyncpg's bridge needs Python 3.9 or later"
  exit 3
fi
if [[ ! -x "$PY" ]]; then
  say "creating a venv in $VENV"
  mkdir -p "$(dirname "$VENV")"
  "$BASE" -m venv "$VENV" >&2 || { say "python3 -m venv failed (on Debian: apt-get install python3-venv)"; rm -rf "$VENV"; exit 3; }
fi
say "installing $ASYNCPG_SPEC into $VENV"
if ! "$PY" -m pip install --quiet --retries 1 "$ASYNCPG_SPEC" >&2; then
  say "pip could not install $ASYNCPG_SPEC from the configured package index"
  exit 3
fi
if ! has_asyncpg "$PY"; then say "asyncpg installed but does not import in $PY"; exit 3; fi
echo "$PY"
