#!/usr/bin/env bash
# Debian packages the test suite drives for real: PostgreSQL server, ClamAV daemon,
# Chromium (browser check), CJK fonts (PDF lists and screenshots), gettext (catalogue check).
# Installed with apt-get when running as root; otherwise each must already be present.
set -euo pipefail
PKGS=(postgresql-15 clamav clamav-daemon chromium fonts-noto-cjk fonts-wqy-zenhei gettext libmagic1)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "missing system packages (install them as root): ${missing[*]}" >&2
  exit 1
fi
