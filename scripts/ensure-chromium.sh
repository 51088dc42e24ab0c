#!/usr/bin/env bash
# The browser tests (test/browser/) drive Debian's Chromium with playwright-core (which brings no
# browser of its own). This script makes sure one is installed: it installs Debian's `chromium`
# when it is missing and we may (root with apt-get), and otherwise stops with a message saying how
# to install it. CHROMIUM_PATH names another binary.
set -euo pipefail

chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$chromium_path" ]; then
  exit 0
fi

if [ -z "${CHROMIUM_PATH:-}" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $chromium_path not found; installing chromium with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium >/dev/null
  if [ -x "$chromium_path" ]; then
    exit 0
  fi
fi

cat >&2 <<MSG
ensure-chromium: the browser tests need Chromium at $chromium_path, and none was found.
  Debian/Ubuntu:  sudo apt-get install -y chromium
  elsewhere:      install Chromium or Chrome and set CHROMIUM_PATH=/path/to/the/binary
Then run the command again.
MSG
exit 1
