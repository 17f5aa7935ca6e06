#!/usr/bin/env bash
# Create .venv and install aidgraph with exactly the versions of uv.lock. Usage: bash scripts/setup.sh [EXTRA]
#   EXTRA: "dev" installs the test tools too. Needs Python >= 3.11 with pip and venv.
# The installer, uv, is itself pinned with hashes (scripts/uv-requirements.txt) and lives in .venv-tools.
# `uv sync --locked` refuses to run when pyproject.toml and uv.lock disagree: run `uv lock` (README).
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
python="$(command -v "$python")"

# Ignore machine-specific installer configuration (extra or local indexes, constraints): install from
# PyPI, with the hashes of the lock, as on a fresh machine.
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_FIND_LINKS= PIP_CONSTRAINT=
export UV_NO_CONFIG=1 UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=.venv
# Byte-compile at install time: where PYTHONDONTWRITEBYTECODE is set, every process would otherwise compile
# the sources again (~0.2 s per `aidgraph` command).
export UV_COMPILE_BYTECODE=1
unset UV_INDEX UV_INDEX_URL UV_EXTRA_INDEX_URL UV_FIND_LINKS UV_CONSTRAINT UV_OVERRIDE 2>/dev/null || true

tools=.venv-tools
if ! "$tools/bin/uv" --version 2>/dev/null | grep -q "$(sed -n 's/^uv==\([0-9.]*\).*/\1/p' scripts/uv-requirements.txt)"; then
  echo "installing the pinned installer (uv) into $tools ..." >&2
  rm -rf "$tools"
  "$python" -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --require-hashes --no-deps -r scripts/uv-requirements.txt
fi

sync_args=(--locked --python "$python")
if [ -n "$extra" ]; then sync_args+=(--extra "$extra"); fi
if ! "$tools/bin/uv" sync --quiet "${sync_args[@]}"; then
  echo "error: could not install the locked dependencies (uv.lock)." >&2
  echo "hint: if pyproject.toml changed, run '$tools/bin/uv lock' and commit uv.lock; else check the network" >&2
  exit 2
fi
.venv/bin/python -m compileall -q -j 0 graph api >/dev/null || true  # the project itself (installed editable)
echo "aidgraph installed in .venv ($(.venv/bin/aidgraph --help >/dev/null && echo ok))" >&2
