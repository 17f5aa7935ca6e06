#!/usr/bin/env bash
# Set up (with the dev tools) and run the checks: ruff, then the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
# Real programs the tests drive, from Debian, installed when we may (root with apt), else those tests skip:
# headless chromium (browser tests), Apache Jena with a JDK (rsparql and Jena's HTTP API as SPARQL clients).
apt_updated=""
apt_install() {  # apt_install WHAT PACKAGE...
  local what="$1"; shift
  [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1 || { echo "no apt: the $what tests will be skipped" >&2; return 0; }
  echo "installing $* for the $what tests (apt-get) ..." >&2
  { [ -n "$apt_updated" ] || timeout 300 apt-get update -qq; } >/dev/null 2>&1 && apt_updated=1
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "$@" >/dev/null 2>&1 \
    || echo "could not install $*: the $what tests will be skipped" >&2
}
command -v chromium >/dev/null 2>&1 || apt_install browser chromium
{ [ -f /usr/share/java/jena-arq.jar ] && command -v javac >/dev/null 2>&1; } \
  || apt_install "Jena client" libapache-jena-java default-jdk-headless
command -v virtuoso-t >/dev/null 2>&1 || apt_install "Virtuoso store" virtuoso-opensource
.venv/bin/ruff check .
status=0
.venv/bin/python -m pytest -q -p no:cacheprovider "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests (exit code 5); treating as success" >&2
  status=0
fi
exit "$status"
