#!/usr/bin/env bash
# Generation benchmark: `slipway generate` for a JOBS-job spec (release build, whole process),
# against PyYAML emitting the same documents. Each platform gets the largest spec of this shape it
# accepts: GitLab JOBS jobs; GitHub GITHUB_JOBS (its workflows stop at 512,000 bytes, about 185
# instances: bench/github-size.sh); Bitbucket BITBUCKET_JOBS (at most 100 steps per pipeline).
#
# Usage: bench/generate-vs-pyyaml.sh [JOBS] [RUNS] [BITBUCKET_JOBS] [GITHUB_JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-500}
runs=${2:-11}
bitbucket_jobs=${3:-120}
github_jobs=${4:-100}

python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet pyyaml
swift build -c release --product slipway >/dev/null
workload=$(mktemp -d)
trap 'rm -rf "$workload"' EXIT
mkdir -p "$workload/gitlab" "$workload/github" "$workload/bitbucket"
python3 bench/generate_workload.py "$workload/gitlab" "$jobs" "gitlab"
python3 bench/generate_workload.py "$workload/github" "$github_jobs" "github"
python3 bench/generate_workload.py "$workload/bitbucket" "$bitbucket_jobs" "bitbucket"
echo "== $jobs jobs"
python3 bench/generate_compare.py .build/release/slipway "$workload/gitlab" "$runs" gitlab
echo "== $github_jobs jobs"
python3 bench/generate_compare.py .build/release/slipway "$workload/github" "$runs" github
echo "== $bitbucket_jobs jobs"
python3 bench/generate_compare.py .build/release/slipway "$workload/bitbucket" "$runs" bitbucket
