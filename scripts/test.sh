#!/usr/bin/env bash
# `make test`: install what the tests need, then lint, type-check, and run the whole suite
# on SQLite and again on a real PostgreSQL started on a loopback port (scripts/with-postgres.sh).
# Every stage runs even when an earlier one fails; the summary lists each stage's result and
# the exit status is non-zero when any failed. Extra arguments go to both pytest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
T0=$SECONDS
bash scripts/system-deps.sh
bash scripts/bootstrap.sh requirements-dev.txt
BIN=.venv/bin
LANTAI_DATA_DIR="$(mktemp -d /tmp/lantai-test.XXXXXX)"
export LANTAI_DATA_DIR
trap 'rm -rf "$LANTAI_DATA_DIR"' EXIT
echo "setup: $((SECONDS - T0)) s"

SUMMARY=()
FAILED=0
stage() {  # stage NAME COMMAND...: run, time, record; pytest's 5 (no tests ran) is a failure too
  local name="$1" start=$SECONDS status=0
  shift
  echo "== $name"
  "$@" || status=$?
  local line
  line="$(printf '%-22s %s (%d s)' "$name" "$([ $status = 0 ] && echo ok || echo "FAILED, exit $status")" $((SECONDS - start)))"
  [ "$status" = 5 ] && line="$line — no tests were collected"
  SUMMARY+=("$line")
  [ "$status" = 0 ] || FAILED=1
}

stage "ruff check" $BIN/ruff check src tests bench scripts
stage "ruff format" $BIN/ruff format --check -q src tests bench scripts
stage "mypy" env LANTAI_DEBUG=1 $BIN/mypy
stage "i18n check" $BIN/python scripts/i18n.py check
stage "pytest (SQLite)" $BIN/pytest -p no:cacheprovider -m "not postgres_only" "$@"
stage "pytest (PostgreSQL)" bash scripts/with-postgres.sh $BIN/pytest -p no:cacheprovider "$@"

echo
echo "== summary (total $((SECONDS - T0)) s)"
printf '  %s\n' "${SUMMARY[@]}"
exit "$FAILED"
