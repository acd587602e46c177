#!/usr/bin/env bash
# Installs the Debian packages the portal needs, if any is missing and we may install.
# Usage: scripts/system-packages.sh run|test|bench
#   run:   fonts and libraries for PDFs (WeasyPrint, Chinese glyphs)
#   test:  the above, plus Chromium for end-to-end tests and poppler for looking at PDFs
#   bench: the above, plus PgBouncer for the Monday spike through a pool (make bench)
# On a machine without apt-get, or without root, it says what is missing and goes on:
# the portal still runs, and the tests that need a missing part are skipped.
set -u
packages=(fonts-noto-cjk fonts-lxgw-wenkai libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0)
case "${1:-run}" in
  test) packages+=(chromium poppler-utils) ;;
  bench) packages+=(chromium poppler-utils pgbouncer) ;;
esac
if ! command -v dpkg >/dev/null 2>&1; then
  echo "system-packages: no dpkg here; install by hand if needed: ${packages[*]}" >&2
  exit 0
fi
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-packages: missing ${missing[*]} (run as root to install them)" >&2
  exit 0
fi
echo "system-packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o DPkg::Lock::Timeout=120 >/dev/null || true
apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=120 "${missing[@]}" >/dev/null \
  || echo "system-packages: could not install ${missing[*]}; going on without them" >&2
exit 0
