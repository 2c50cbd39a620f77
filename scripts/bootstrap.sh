#!/usr/bin/env bash
# Create .venv (when missing) and install the pinned requirements given as $1 plus Lantai itself.
# Uses uv inside the venv for speed; falls back to pip if uv cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
REQ="${1:-requirements.txt}"
VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.installed-$(basename "$REQ" .txt)"

if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Lantai needs Python 3.11 or newer as $PYTHON (set PYTHON=python3.11 to choose one)" >&2; exit 1
  fi
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      rm -rf "$VENV"; "$PYTHON" -m venv "$VENV"
    else
      echo "Python venv is missing: install python3-venv (e.g. sudo apt-get install python3-venv)" >&2; exit 1
    fi
  fi
fi
# Reinstall only when a requirement file or pyproject changed since the last install.
if [ -f "$STAMP" ] && [ "$STAMP" -nt "$REQ" ] && [ "$STAMP" -nt requirements.txt ] && [ "$STAMP" -nt pyproject.toml ]; then
  "$VENV/bin/python" scripts/i18n.py compile   # catalogues may have changed since
  exit 0
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check uv >/dev/null 2>&1 || true
if [ -x "$VENV/bin/uv" ]; then
  "$VENV/bin/uv" pip install -q --python "$VENV/bin/python" -r "$REQ"
  "$VENV/bin/uv" pip install -q --python "$VENV/bin/python" --no-deps -e .
else
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
fi
"$VENV/bin/python" scripts/i18n.py compile
touch "$STAMP"
