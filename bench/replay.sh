#!/usr/bin/env bash
# Replays a recorded KKP-shaped history (PUSHES pushes, with failures, cancelled runs, force pushes
# and definition edits) with the local runner four ways — the KKP start wizard's rules, the push's
# own before..after, everything on every push, and convergence — and prints executions and missed
# changes for each.
#
# Usage: bench/replay.sh [PUSHES]
set -euo pipefail
cd "$(dirname "$0")/.."
pushes=${1:-80}
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet pyyaml
# shellcheck source=bench/slipway-binary.sh
. bench/slipway-binary.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
python3 bench/replay_history.py "$work" "$pushes"
python3 bench/replay.py "$slipway" "$work"
