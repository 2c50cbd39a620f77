#!/usr/bin/env bash
# `make test`: install what the tests need, then lint, type-check, and run the whole suite
# on SQLite and again on a real PostgreSQL started on a loopback port.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-deps.sh
bash scripts/bootstrap.sh requirements-dev.txt
BIN=.venv/bin
export LANTAI_DATA_DIR="$(mktemp -d /tmp/lantai-test.XXXXXX)"
trap 'rm -rf "$LANTAI_DATA_DIR"' EXIT

echo "== ruff"; $BIN/ruff check src tests bench scripts && $BIN/ruff format --check -q src tests bench scripts
echo "== mypy"; LANTAI_DEBUG=1 $BIN/mypy
echo "== pytest (SQLite)"; $BIN/pytest -p no:cacheprovider -m "not postgres_only" "$@"
echo "== pytest (PostgreSQL)"; bash scripts/with-postgres.sh $BIN/pytest -p no:cacheprovider "$@"
