#!/usr/bin/env bash
# The main job on the embedded default store: set up, ingest the demo corpus into ./data/store,
# then serve the API and SPARQL endpoint on http://127.0.0.1:8000 (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/aidgraph --store "${AIDGRAPH_STORE:-data/store}" demo --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" "$@"
