#!/usr/bin/env bash
# The whole test suite against real PostgreSQL, Redis and Keycloak (started by services.sh)
# and a real MinIO for the S3 attachment backend (built by tools/install-minio.sh).
# Usage: bash deploy/test.sh [pytest args]. CI's .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# MinIO (for the S3 attachment backend) builds from the Go module proxy the first time:
# let it build while pip and the services start.
bash deploy/tools/install-minio.sh > .venv/minio-path 2> .venv/minio-build.log &
minio_build=$!
# Debian's chromium for the wall's browser tests (a no-op once installed).
bash deploy/tools/install-chromium.sh > .venv/chromium-install.log 2>&1 &
chromium_install=$!
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -c deploy/constraints.txt -e '.[test]'
# The quality gate (ruff, mypy, import-linter, and web/'s vue-tsc, eslint, vitest) first: CI
# fails fast, before any service starts. Then web/dist, which the server serves under /wall/.
bash deploy/gate.sh || { kill "$minio_build" 2>/dev/null; exit 1; }
bash deploy/tools/build-web.sh
bash deploy/services.sh up
eval "$(bash deploy/services.sh env)"
wait "$minio_build" || { cat .venv/minio-build.log >&2; echo "MinIO build failed" >&2; exit 1; }
wait "$chromium_install" || { cat .venv/chromium-install.log >&2; echo "chromium install failed" >&2; exit 1; }
REDGRID_TEST_MINIO_BIN="$(cat .venv/minio-path)"
export REDGRID_TEST_MINIO_BIN
# In parallel (pytest-xdist): one worker per core, at most 4. Most of the suite's time is spent
# waiting on server processes, PostgreSQL, Keycloak and chromium, but each worker also brings a
# server, its database's backends and a browser of its own, so more workers than cores only
# slow the tests with latency goals (test_wall's 2 s); REDGRID_TEST_WORKERS overrides, 0 is
# serial. Each test module stays whole on one worker (loadfile: its street is built once); a
# test marked `alone` runs while no other worker is in a test (tests/conftest.py); each worker
# has a database and a Redis index of its own (tests/integration/conftest.py). Giving -n (or
# -p no:xdist) yourself replaces this.
workers=${REDGRID_TEST_WORKERS:-$(( $(nproc) < 4 ? $(nproc) : 4 ))}
parallel=(-n "$workers" --dist loadfile)
for arg in "$@"; do
    case $arg in -n | -n* | --numprocesses | --numprocesses=* | no:xdist) parallel=() ;; esac
done
# Last, so that pytest's own summary (with the suite's time) closes the output, where CI reads it.
exec .venv/bin/python -m pytest "${parallel[@]}" "$@"
