#!/usr/bin/env bash
# Make a `helm` (v3) binary available and print its absolute path on stdout.
#
#   HELM="$(deploy/tools/install-helm.sh)" && "$HELM" lint helm/redgrid
#
# Order of preference:
#   1. $REDGRID_HELM, if set and executable (explicit override);
#   2. `helm` already on PATH, if it is Helm v3;
#   3. ${REDGRID_TOOLS_DIR:-$HOME/.cache/redgrid/bin}/helm, if it is the pinned build;
#   4. otherwise build the pinned version from source with the Go toolchain
#      (`go install helm.sh/helm/v3/cmd/helm@VERSION`) into that directory.
#
# Only the Go module proxy is used: no prebuilt binary is downloaded. The first build takes
# two to three minutes on 2 cores (module downloads included); every later run returns at once.
# Progress goes to stderr, the path alone to stdout. Concurrent runs are serialised with flock.
#
# The ldflags mirror upstream's Makefile, so that `helm version` is truthful and the default
# Kubernetes version used by `helm template`/`helm lint` (capabilities, deprecation checks)
# is the one of the client-go that Helm release was built with, not Helm's fallback of v1.20.
set -euo pipefail

HELM_VERSION="${REDGRID_HELM_VERSION:-v3.21.4}"
# Bump when the build recipe below changes, so that cached binaries get rebuilt.
RECIPE=2
TOOLS_DIR="${REDGRID_TOOLS_DIR:-${HOME:-/root}/.cache/redgrid/bin}"
TARGET="${TOOLS_DIR}/helm"
STAMP="${TARGET}.version"
WANT_STAMP="${HELM_VERSION} recipe=${RECIPE}"

log() { printf 'install-helm: %s\n' "$*" >&2; }
is_current() { [[ -x "${TARGET}" && -f "${STAMP}" && "$(cat "${STAMP}")" == "${WANT_STAMP}" ]]; }

if [[ -n "${REDGRID_HELM:-}" && -x "${REDGRID_HELM}" ]]; then
  printf '%s\n' "${REDGRID_HELM}"
  exit 0
fi

if on_path="$(command -v helm 2>/dev/null)" && "${on_path}" version --short 2>/dev/null | grep -q '^v3\.'; then
  printf '%s\n' "${on_path}"
  exit 0
fi

if is_current; then
  printf '%s\n' "${TARGET}"
  exit 0
fi

if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then
  PATH="/usr/local/go/bin:${PATH}"
fi
if ! command -v go >/dev/null 2>&1; then
  log "helm is not on PATH and Go is not installed: install Go (>= 1.26) or Helm v3 and retry"
  exit 1
fi

mkdir -p "${TOOLS_DIR}"

build() {
  if is_current; then return 0; fi  # another process finished the build while we waited
  local start=${SECONDS} gomod k8s_minor ldflags
  log "building helm ${HELM_VERSION} with $(go version | awk '{print $3}') into ${TOOLS_DIR} (first time only; takes a few minutes)"

  # Kubernetes version = 1.(client-go minor), as in upstream's Makefile (client-go v0.36 -> 1.36).
  gomod="$(go mod download -json "helm.sh/helm/v3@${HELM_VERSION}" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  k8s_minor="$(awk '$1 == "k8s.io/client-go" { split($2, v, "."); print v[2]; exit }' "${gomod}")"
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}"
  if [[ "${k8s_minor}" =~ ^[0-9]+$ ]]; then
    ldflags+=" -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=${k8s_minor}"
    ldflags+=" -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=${k8s_minor}"
  else
    log "warning: could not read the client-go version of helm ${HELM_VERSION}; default kube version stays v1.20"
  fi

  rm -f "${STAMP}"
  GOBIN="${TOOLS_DIR}" CGO_ENABLED=0 go install -trimpath -ldflags "${ldflags}" \
    "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" >&2
  printf '%s\n' "${WANT_STAMP}" >"${STAMP}"
  log "built $("${TARGET}" version --short) (default Kubernetes 1.${k8s_minor:-20}) in $((SECONDS - start))s"
}

if command -v flock >/dev/null 2>&1; then
  exec 9>"${TOOLS_DIR}/.helm-build.lock"
  flock 9
  build
  exec 9>&-
else
  build
fi

printf '%s\n' "${TARGET}"
