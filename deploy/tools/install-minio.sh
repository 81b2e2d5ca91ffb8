#!/usr/bin/env bash
# Make a MinIO server binary available (the S3-compatible store the S3 attachment backend is
# tested against) and print its absolute path on stdout.
#
#   MINIO="$(deploy/tools/install-minio.sh)"
#
# Order of preference: $REDGRID_TEST_MINIO_BIN if executable; the pinned build in
# ${REDGRID_TOOLS_DIR:-$HOME/.cache/redgrid/bin}; otherwise build that version from the Go
# module proxy (`go install github.com/minio/minio@VERSION`), the only registry this machine
# reaches that carries it. The first build takes several minutes on 2 cores; later runs return
# at once. Progress goes to stderr, the path alone to stdout. Concurrent runs are serialised.
set -euo pipefail

MINIO_VERSION="${REDGRID_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
TOOLS_DIR="${REDGRID_TOOLS_DIR:-${HOME:-/root}/.cache/redgrid/bin}"
TARGET="${TOOLS_DIR}/minio"
STAMP="${TARGET}.version"

log() { printf 'install-minio: %s\n' "$*" >&2; }
is_current() { [[ -x "${TARGET}" && -f "${STAMP}" && "$(cat "${STAMP}")" == "${MINIO_VERSION}" ]]; }

if [[ -n "${REDGRID_TEST_MINIO_BIN:-}" && -x "${REDGRID_TEST_MINIO_BIN}" ]]; then
  printf '%s\n' "${REDGRID_TEST_MINIO_BIN}"
  exit 0
fi
if is_current; then
  printf '%s\n' "${TARGET}"
  exit 0
fi
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  PATH="/usr/local/go/bin:${PATH}"
fi
command -v go >/dev/null 2>&1 || { log "Go is not installed: install Go (>= 1.24) and retry"; exit 1; }
mkdir -p "${TOOLS_DIR}"

build() {
  if is_current; then return 0; fi  # another process finished the build while we waited
  local start=${SECONDS}
  log "building minio ${MINIO_VERSION} with $(go version | awk '{print $3}') into ${TOOLS_DIR} (first time only; takes several minutes)"
  rm -f "${STAMP}"
  GOBIN="${TOOLS_DIR}" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "github.com/minio/minio@${MINIO_VERSION}" >&2
  printf '%s\n' "${MINIO_VERSION}" >"${STAMP}"
  log "built in $((SECONDS - start))s"
}

exec 9>"${TOOLS_DIR}/.minio-build.lock"
flock 9
build
exec 9>&-
printf '%s\n' "${TARGET}"
