#!/usr/bin/env bash
# Planner benchmark: plan a spec of JOBS jobs x 10 patterns against CHANGED changed paths.
#
# Times the whole `slipway plan` process (release build: YAML loading, validation, reading the
# change list, planning, JSON output) over RUNS runs and reports the median; then times Python's
# pathspec (GitIgnoreSpec) answering the same question for a sample of SAMPLE jobs, extrapolates to
# all jobs, and prints the ratio. Both must select the same sampled jobs, or the script fails.
#
# Usage: bench/plan-vs-pathspec.sh [JOBS] [CHANGED] [RUNS] [SAMPLE]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-1000}
changed=${2:-100000}
runs=${3:-7}
sample=${4:-20}

python3 -c 'import pathspec' 2>/dev/null || python3 -m pip install --quiet pathspec
swift build -c release --product slipway >/dev/null
workload=$(mktemp -d)
trap 'rm -rf "$workload"' EXIT
python3 bench/plan_workload.py "$workload" "$jobs" "$changed"
python3 bench/plan_compare.py .build/release/slipway "$workload" "$jobs" "$changed" "$runs" "$sample"
