#!/usr/bin/env bash
# Debian's chromium for the browser tests (Playwright drives it through executable_path: the
# browser builds Playwright downloads itself cannot be fetched on these machines). Idempotent and
# quiet: nothing happens when /usr/bin/chromium is already there.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk > /dev/null
