#!/usr/bin/env bash
# Provisions, where this machine can, the real peers some tests check against. Never fails CI:
# each step says what it did or why it skipped, and the tests that need it skip with a reason.
#  - .venv-tb: real TensorBoard (reads our event files in plugins/logger-tensorboard tests)
set -uo pipefail
cd "$(dirname "$0")/../../.."
pip_quiet=(--disable-pip-version-check --retries 0 --timeout 20 -q)

step() { local name=$1; shift; local t0=$SECONDS; if "$@"; then echo "provision: $name ready ($((SECONDS - t0)) s)"; else echo "provision: $name unavailable ($((SECONDS - t0)) s); tests that need it will skip"; fi; }

tb() {
  [ -x .venv-tb/bin/python ] && .venv-tb/bin/python -c 'import tensorboard' 2>/dev/null && return 0
  command -v python3 >/dev/null || { echo "provision: no python3"; return 1; }
  python3 -m venv .venv-tb && .venv-tb/bin/pip install "${pip_quiet[@]}" tensorboard
}
step "TensorBoard venv (.venv-tb)" tb

#  - chromium: headless browser for the export test (a trained model loads and predicts in a browser)
chromium_step() {
  [ -x /usr/bin/chromium ] && return 0
  command -v apt-get >/dev/null || { echo "provision: no apt-get"; return 1; }
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >/tmp/kiln-apt.log 2>&1 || { tail -3 /tmp/kiln-apt.log; return 1; }
}
step "chromium (/usr/bin/chromium)" chromium_step

#  - native TensorFlow: tfjs-node's binding built offline from the TensorFlow CPU wheel when pip can get it
#    (nothing is saved to package.json; no 'npm install' may run after this, it would prune it)
step "native backend (tfjs-node from the TensorFlow wheel)" node tools/scripts/src/native/provision.mjs
