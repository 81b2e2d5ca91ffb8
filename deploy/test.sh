#!/usr/bin/env bash
# The whole test suite against real PostgreSQL, Redis and Keycloak (started by services.sh).
# Usage: bash deploy/test.sh [pytest args]. CI's .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
bash deploy/services.sh up
eval "$(bash deploy/services.sh env)"
started=$(date +%s)
status=0
.venv/bin/python -m pytest "$@" || status=$?
echo "test suite took $(( $(date +%s) - started ))s"
exit $status
