#!/usr/bin/env bash
# Runner benchmarks, each against a peer in the same run:
#   1. a DAG of JOBS no-op jobs: `slipway run --jobs 2` against `ninja -j2` on the same DAG and command;
#   2. a DAG of sleeping jobs: wall time (median of 7) against the DAG's critical path;
#   3. a job writing SIZE bytes containing a secret: the masked log pipeline against `sed` making the
#      same replacement into a file, and slipway's peak RSS.
# Usage: bench/run-benchmarks.sh [JOBS] [SIZE]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-1000}
size=${2:-1073741824}
command -v ninja >/dev/null || { apt-get update -qq && apt-get install -y -qq ninja-build >/dev/null; }
swift build -c release --product slipway >/dev/null
slipway=$PWD/.build/release/slipway
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== 1. $jobs no-op jobs"
mkdir -p "$work/noop"
python3 bench/run_workload.py "$work/noop" "$jobs" true
python3 bench/run_compare.py "$slipway" "$work/noop" 7 2

echo "== 2. 200 sleeping jobs (0.05-0.4 s), --jobs 64"
mkdir -p "$work/sleep"
critical=$(python3 bench/run_workload.py "$work/sleep" 200 true 0.05,0.4)
walls=()
for _ in 1 2 3 4 5 6 7; do
    start=$(date +%s.%N)
    (cd "$work/sleep" && "$slipway" run --event push --changed x --jobs 64 >/dev/null)
    end=$(date +%s.%N)
    walls+=("$(python3 -c "print($end - $start)")")
done
# The same DAG under ninja -j64 (sh and sleep), for what starting processes costs any runner.
ninjas=()
for _ in 1 2 3 4 5 6 7; do
    (cd "$work/sleep" && rm -f j[0-9]* .ninja_log .ninja_deps)
    start=$(date +%s.%N)
    (cd "$work/sleep" && ninja -j64 >/dev/null)
    end=$(date +%s.%N)
    ninjas+=("$(python3 -c "print($end - $start)")")
done
python3 -c "
import statistics
walls, ninjas, critical = [$(IFS=,; echo "${walls[*]}")], [$(IFS=,; echo "${ninjas[*]}")], $critical
wall, ninja = statistics.median(walls), statistics.median(ninjas)
print(f'wall median of 7 {wall:.3f} s (min {min(walls):.3f}), critical path {critical:.3f} s: {100 * (wall / critical - 1):+.1f}%')
print(f'ninja -j64 on the same DAG: median {ninja:.3f} s: {100 * (ninja / critical - 1):+.1f}%')"

echo "== 3. masking $size bytes"
mkdir -p "$work/mask"
cat >"$work/mask/slipway.yml" <<SPEC
version: 1
secrets: [SECRET_VALUE]
jobs:
  loud:
    paths: ["**"]
    secrets: [SECRET_VALUE]
    run: $PWD/bench/mask_workload.sh $size
SPEC
export SECRET_VALUE=s3cr3t-t0ken-value
start=$(date +%s.%N)
(cd "$work/mask" && /usr/bin/time -f "%M" -o "$work/rss" "$slipway" run --event push --changed x >/dev/null)
end=$(date +%s.%N)
log=$(ls "$work"/mask/.slipway/runs/*/loud.log)
grep -c "$SECRET_VALUE" "$log" >/dev/null && { echo "secret leaked into the log"; exit 1; }
sed_start=$(date +%s.%N)
bench/mask_workload.sh "$size" | sed "s/$SECRET_VALUE/***/g" >"$work/sed.out"
sed_end=$(date +%s.%N)
cmp -s "$log" "$work/sed.out" || { echo "slipway's log and sed's output differ"; exit 1; }
python3 -c "
ours, sed, size, rss = $end - $start, $sed_end - $sed_start, $size, $(cat "$work/rss")
print(f'slipway run (job + masking + log + [job] lines): {ours:.2f} s, {size / ours / 2**20:.0f} MiB/s, peak RSS {rss / 1024:.1f} MiB')
print(f'sed into a file: {sed:.2f} s, {size / sed / 2**20:.0f} MiB/s')
print(f'ratio: slipway takes {ours / sed:.2f}x sed\\'s time (target: under 1, RSS under 64 MiB)')"
