#!/usr/bin/env bash
# Convergence detection benchmark: GitLab's generated detection job (`.gitlab/slipway/detect.sh`:
# fetch the marks, diff each marked commit against the head, match every instance's patterns, write
# the child pipeline) on a repository of FILES files and COMMITS commits with SERVICES job
# instances whose marks sit at different commits, against `git diff --name-only` over the same
# ranges alone. Checks that the child pipeline holds what `slipway plan --marks-from` selects.
#
# Usage: bench/detect-vs-git-diff.sh [FILES] [COMMITS] [SERVICES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-100000}
commits=${2:-10000}
services=${3:-200}
runs=${4:-7}

command -v bc >/dev/null || { apt-get update -qq && apt-get install -y -qq bc >/dev/null; }
# shellcheck source=bench/slipway-binary.sh
. bench/slipway-binary.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

git init --quiet --bare --initial-branch=main "$work/origin.git"
python3 bench/detect_workload.py "$files" "$commits" "$services" | git -C "$work/origin.git" fast-import --quiet
git clone --quiet "$work/origin.git" "$work/clone"
cd "$work/clone"
git rev-list --reverse main >"$work/commits"
"$slipway" plan --event manual --all --format json >"$work/all.json"
python3 "$OLDPWD/bench/detect_marks.py" "$work/commits" <"$work/all.json" | git -C "$work/origin.git" fast-import --quiet
"$slipway" generate --platform gitlab >/dev/null
echo "repository: $(git ls-files | wc -l) files, $(wc -l <"$work/commits") commits; $services job instances, marks at $(git -C "$work/origin.git" for-each-ref --format='%(parent)' refs/slipway/marks/ | sort -u | wc -l) commits"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
detect() {
    # As a fresh CI clone: no marks here yet.
    git for-each-ref --format='delete %(refname)' refs/slipway/ | git update-ref --stdin
    CI_PIPELINE_SOURCE=push CI_COMMIT_BRANCH=main CI_COMMIT_SHA=$(git rev-parse HEAD) \
        CI_REPOSITORY_URL="$work/origin.git" bash --noprofile --norc .gitlab/slipway/detect.sh >/dev/null
}
ours=()
for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    detect
    end=$(date +%s.%N)
    ours+=("$(echo "$end - $start" | bc)")
done
marked=$(git for-each-ref --format='%(parent)' refs/slipway/marks/ | sort -u)
theirs=()
for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    for commit in $marked; do git diff --name-only --no-renames -z "$commit" HEAD >/dev/null; done
    end=$(date +%s.%N)
    theirs+=("$(echo "$end - $start" | bc)")
done

# The child pipeline holds what the planner selects from the same marks.
"$slipway" plan --event push --marks-from "$work/origin.git" --format json >"$work/plan.json"
python3 - "$work/plan.json" .slipway/child-pipeline.yml <<'PY'
import json, re, sys
planned = {entry["id"].replace("@", "-") for entry in json.load(open(sys.argv[1]))["selected"]}
child = {m.group(1) for m in re.finditer(r"^([a-z0-9-]+):$", open(sys.argv[2]).read(), re.M)} - {"variables"}
child.discard("slipway-nothing-to-do")
assert planned == child, f"detection and planner disagree: {sorted(planned ^ child)[:10]}"
print(f"selected: {len(child)} of the instances (detection and planner agree)")
PY

ours_median=$(printf '%s\n' "${ours[@]}" | median)
theirs_median=$(printf '%s\n' "${theirs[@]}" | median)
echo "detection step (fetch marks, diffs, matching, child pipeline), median of $runs: ${ours_median} s"
echo "git diff --name-only over the same $(echo "$marked" | wc -l) ranges, median of $runs: ${theirs_median} s"
echo "ratio: detection takes $(echo "scale=2; $ours_median / $theirs_median" | bc)x git diff alone (target: at most 1.5x, under 2 s)"
