#!/usr/bin/env bash
# Build web/ into web/dist when it is out of date; quiet and idempotent. Two Vite builds: the
# wall (vite.config.ts, web/dist, served at /wall/), then the phones' app and the residents'
# pages (vite.mobile.config.ts, web/dist/m, served at /m/ and /r/).
#   bash deploy/tools/build-web.sh         npm ci when the lock file changed, then `npm run build`
#                                          when a source (or graphql/schema.graphql) is newer than
#                                          web/dist/m/index.html (the last page built) or a page
#                                          is missing
#   bash deploy/tools/build-web.sh check   npm ci when needed, then codegen, vue-tsc, eslint, vitest
# Output is kept in web/.build.log and printed only when a step fails.
set -euo pipefail
cd "$(dirname "$0")/../../web"
log=.build.log
: > "$log"
run() {
    "$@" >> "$log" 2>&1 || { cat "$log" >&2; echo "web: '$*' failed" >&2; exit 1; }
}
command -v npm > /dev/null || { echo "web: npm (Node 20) is needed to build web/" >&2; exit 1; }

# npm writes node_modules/.package-lock.json on every install: older than the lock means stale.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    run npm ci --no-audit --no-fund --loglevel=error
fi

if [ "${1:-build}" = check ]; then
    run npm run --silent check
    exit 0
fi

stamp=dist/m/index.html
if [ -f dist/index.html ] && [ -f "$stamp" ] && [ -z "$(find src index.html mobile package.json package-lock.json \
    vite.config.ts vite.mobile.config.ts codegen.ts tsconfig.json ../graphql/schema.graphql -newer "$stamp" -print -quit)" ]; then
    exit 0
fi
run npm run --silent build
