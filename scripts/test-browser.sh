#!/usr/bin/env bash
# Set up the staff console's browser tests: Debian's Chromium and ChromeDriver, and axe-core.
#   scripts/test-browser.sh        (as root, like CI; idempotent: installs only what is missing)
# Chromium and ChromeDriver come from Debian's packages (apt); axe-core, the accessibility engine the
# tests inject into every page, from the npm registry at the version pinned in
# tests/browser/package-lock.json (npm ci; Node.js and npm are on the machine image).
# Without them the browser tests skip with a reason; under CI=true they fail instead.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "$*" >&2; }

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  log "Installing Chromium and ChromeDriver from Debian's packages…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >&2
fi
log "$(chromium --version 2>/dev/null | head -n 1); $(chromedriver --version | head -n 1)"

if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  if ! command -v npm >/dev/null 2>&1; then
    log "Installing npm from Debian's packages…"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends npm >&2
  fi
  log "Installing axe-core (tests/browser/package-lock.json)…"
  (cd tests/browser && npm ci --no-audit --no-fund --silent >&2)
fi
log "axe-core $(head -c 40 tests/browser/node_modules/axe-core/axe.min.js | grep -o 'v[0-9.]*')"
