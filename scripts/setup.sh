#!/usr/bin/env bash
# Create .venv (if missing) and install aidgraph into it. Usage: bash scripts/setup.sh [EXTRA]
#   EXTRA: "dev" installs the test tools too. Needs Python >= 3.11 with pip and venv.
set -euo pipefail
cd "$(dirname "$0")/.."
extra="${1:-}"
python="${PYTHON:-}"
if [ -z "$python" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
       && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      python="$candidate"; break
    fi
  done
fi
if [ -z "$python" ]; then
  echo "error: aidgraph needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
  exit 2
fi
if [ ! -x .venv/bin/python ]; then
  echo "creating .venv with $python" >&2
  "$python" -m venv .venv
fi
# Ignore machine-specific pip configuration (extra/local indexes): install from PyPI like a fresh machine.
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
target="."
if [ -n "$extra" ]; then target=".[$extra]"; fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e "$target"
echo "aidgraph installed in .venv ($(.venv/bin/aidgraph --help >/dev/null && echo ok))" >&2
