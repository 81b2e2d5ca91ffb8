#!/usr/bin/env bash
# Run the server with its embedded defaults: SQLite, in-memory channel layer, dev identity.
# Usage: bash deploy/dev.sh [redgrid serve args]. Open http://127.0.0.1:8000/graphql, the wall at /wall/
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c deploy/constraints.txt -e .
# The wall (web/), rebuilt only when its sources changed; without npm the API still runs.
bash deploy/tools/build-web.sh || echo "warning: web/ not built; /wall/ answers 503" >&2
exec .venv/bin/redgrid serve "$@"
