#!/usr/bin/env bash
# Generation benchmark: `slipway generate` for a JOBS-job spec (release build, whole process),
# against PyYAML emitting the same documents. Bitbucket allows at most 100 steps per pipeline, so
# it is measured on a spec of BITBUCKET_JOBS jobs (99 steps per event pipeline at most); GitHub and
# GitLab on JOBS jobs.
#
# Usage: bench/generate-vs-pyyaml.sh [JOBS] [RUNS] [BITBUCKET_JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-500}
runs=${2:-11}
bitbucket_jobs=${3:-120}

python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet pyyaml
swift build -c release --product slipway >/dev/null
workload=$(mktemp -d)
trap 'rm -rf "$workload"' EXIT
mkdir -p "$workload/all" "$workload/bitbucket"
python3 bench/generate_workload.py "$workload/all" "$jobs" "github, gitlab"
python3 bench/generate_workload.py "$workload/bitbucket" "$bitbucket_jobs" "bitbucket"
echo "== $jobs jobs"
python3 bench/generate_compare.py .build/release/slipway "$workload/all" "$runs" github gitlab
echo "== $bitbucket_jobs jobs"
python3 bench/generate_compare.py .build/release/slipway "$workload/bitbucket" "$runs" bitbucket
