#!/usr/bin/env bash
# GitHub workflow size: how many instances of the generation benchmark's shape (services of five
# jobs: validate, plan, gated apply, smoke test, notify; terraform pinned) fit in the 512,000 bytes
# GitHub reads, the bytes each instance adds, and the peer: the same spec's GitLab job file, which
# has no such limit, for scale.
#
# Usage: bench/github-size.sh [FROM] [STEP]   (SLIPWAY_BINARY=path skips the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
from=${1:-100}
step=${2:-10}
# shellcheck source=bench/slipway-binary.sh
. bench/slipway-binary.sh
workload=$(mktemp -d)
trap 'rm -rf "$workload"' EXIT
git -C "$workload" init --quiet
size() { wc -c <"$workload/$1" | tr -d ' '; }
previous=
for ((jobs = from; ; jobs += step)); do
    python3 bench/generate_workload.py "$workload" "$jobs" "github, gitlab"
    if ! "$slipway" generate --spec "$workload/slipway.yml" --platform github >/dev/null 2>"$workload/error"; then
        echo "$jobs instances: refused ($(grep -o 'would be [0-9]* bytes' "$workload/error"))"
        echo "largest that fits: between $((jobs - step)) and $((jobs - 1)) instances"
        break
    fi
    "$slipway" generate --spec "$workload/slipway.yml" --platform gitlab >/dev/null
    github=$(size .github/workflows/slipway.yml)
    gitlab=$(($(size .gitlab-ci.yml) + $(size .gitlab/slipway/jobs.yml) + $(size .gitlab/slipway/detect.sh)))
    growth=
    if [[ -n $previous ]]; then growth=", +$(((github - previous) / step)) bytes per instance"; fi
    printf '%d instances: GitHub %d bytes (%d per instance%s); GitLab %d bytes, GitHub/GitLab %s\n' \
        "$jobs" "$github" "$((github / jobs))" "$growth" "$gitlab" "$(python3 -c "print(f'{$github / $gitlab:.2f}')")"
    previous=$github
done
