#!/usr/bin/env bash
# The quality gate: lint, formatting, types and import contracts over the whole repository,
# with the tools pinned in deploy/constraints.txt (the test extra). deploy/test.sh runs it before
# the services and pytest, so CI fails fast; .pre-commit-config.yaml runs the same checks.
# Usage: bash deploy/gate.sh   (after `pip install -c deploy/constraints.txt -e '.[test]'`)
# The `web` step checks web/ (GraphQL codegen, vue-tsc, eslint, vitest; needs Node 20 and npm).
# Each tool prints its findings; the gate fails if any of them found anything.
# `bash deploy/gate.sh mypy imports` runs only the named steps (of: ruff format mypy imports web).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${GATE_BIN:-.venv/bin}

# mypy cannot follow setuptools' editable finder to the `redgrid` namespace that
# [tool.setuptools.package-dir] maps onto the code folders, so it reads them through a tree of
# links named as they are imported: .venv/gate-src/redgrid/platform -> platform, and so on.
mypy_src=.venv/gate-src
mkdir -p "$mypy_src/redgrid"
for area in platform tenants graphql realtime; do
    ln -sfn "../../../$area" "$mypy_src/redgrid/$area"
done

steps=${*:-ruff format mypy imports web}
failed=()
step() {
    local key=$1 name=$2
    shift 2
    [[ " $steps " == *" $key "* ]] || return 0
    echo "== $name"
    if "$@"; then
        echo "== $name: ok"
    else
        echo "== $name: FAILED" >&2
        failed+=("$name")
    fi
}

run_mypy() {
    # Report the real paths (platform/x.py), not the links'.
    MYPYPATH=$mypy_src "$BIN/mypy" --cache-dir .venv/mypy-cache \
        -p redgrid.platform -p redgrid.tenants -p redgrid.graphql -p redgrid.realtime \
        | sed "s#^$mypy_src/redgrid/##"
}

step ruff "ruff check" "$BIN/ruff" check .
step format "ruff format --check" "$BIN/ruff" format --check .
step mypy "mypy" run_mypy
step imports "lint-imports" "$BIN/lint-imports" --no-cache
step web "web: codegen, vue-tsc, eslint, vitest" bash deploy/tools/build-web.sh check

if ((${#failed[@]})); then
    echo "Quality gate FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "Quality gate passed."
