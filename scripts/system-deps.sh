#!/usr/bin/env bash
# Debian packages Lantai needs, installed with apt-get when running as root.
#   system-deps.sh        the test suite's: PostgreSQL server, ClamAV daemon, Chromium (browser
#                         check), CJK fonts (PDF lists and screenshots), gettext (catalogue
#                         check), libmagic (format identification); missing ones fail the run.
#   system-deps.sh run    what `make run` needs: libmagic (format identification) and the
#                         WenQuanYi font (PDF lists); when not root, a missing one is a warning.
set -euo pipefail
MODE="${1:-test}"
if [ "$MODE" = run ]; then
  PKGS=(libmagic1 fonts-wqy-zenhei)
else
  PKGS=(postgresql-15 clamav clamav-daemon chromium fonts-noto-cjk fonts-wqy-zenhei gettext libmagic1)
fi
command -v dpkg >/dev/null || { echo "not a Debian/Ubuntu system: install the equivalents of ${PKGS[*]} yourself" >&2; [ "$MODE" = run ]; exit $?; }
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif [ "$MODE" = run ]; then
  echo "warning: missing system packages ${missing[*]} (sudo apt-get install ${missing[*]}):" \
       "format identification or PDF printing will report an error until they are installed" >&2
else
  echo "missing system packages (install them as root): ${missing[*]}" >&2
  exit 1
fi
