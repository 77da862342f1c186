#!/usr/bin/env bash
# Runs every test: installs what the tests need (scripts/bootstrap.sh), then `swift test`
# (unit tests, golden snapshots, and end-to-end tests of the built binary with real git).
# Extra arguments go to `swift test`, e.g. scripts/test.sh --filter PlannerTests
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export PATH="$PATH:$HOME/.local/bin"
swift build --build-tests
swift test --skip-build "$@"
