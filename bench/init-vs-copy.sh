#!/usr/bin/env bash
# Times `slipway init --preset kkp` (or kops) as a whole process (render the repository, validate
# its slipway.yml, generate the CI file, write the files) against its floor on this machine:
# `cp -R` of the very tree it writes, which creates the same directories and files and renders
# nothing. Prints the medians of RUNS runs each, the ratio, and the 200 ms budget the KKP issue sets.
#
# Usage: bench/init-vs-copy.sh [RUNS] [kkp|kkp-gcp|kops]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
preset=${2:-kkp}
# shellcheck source=bench/slipway-binary.sh
. bench/slipway-binary.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ $preset == kops ]]; then
  answers=(--preset kops --yes --git github --dns-zone k8s.example.com --state-store s3://acme-kops-state
    --git-owner acme --git-repository clusters)
elif [[ $preset == kkp-gcp ]]; then
  answers=(--preset kkp --yes --git github --cloud gcp --gcp-project acme-platform --endpoint kkp.example.com
    --admin-email admin@example.com --git-owner acme --git-repository platform --monitoring true --seed 1)
else
  answers=(--preset kkp --yes --git github --cloud aws --endpoint kkp.example.com --route53-zone example.com
    --admin-email admin@example.com --git-owner acme --git-repository platform --monitoring true --seed 1)
fi
"$slipway" init "$work/template" "${answers[@]}" >/dev/null
rm -rf "$work/template/.slipway"
python3 - "$slipway" "$work" "$runs" "$preset" "${answers[@]}" <<'PY'
import statistics, subprocess, sys, time
slipway, work, runs, preset, answers = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5:]
def median(command):
    times = []
    for index in range(runs):
        target = f"{work}/run-{len(times)}-{index}-{command[0].split('/')[-1]}"
        start = time.perf_counter()
        subprocess.run([part.replace("TARGET", target) for part in command], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)
init = median([slipway, "init", "TARGET", *answers])
copy = median(["cp", "-R", f"{work}/template", "TARGET"])
files = int(subprocess.run(["find", f"{work}/template", "-type", "f"], capture_output=True, text=True).stdout.count("\n"))
print(f"slipway init, {preset} ({files} files): {init * 1000:.1f} ms median of {runs}")
print(f"cp -R of the same tree:            {copy * 1000:.1f} ms median of {runs}")
print(f"ratio init / copy: {init / copy:.1f}x; budget 200 ms: {'within' if init < 0.2 else 'OVER'}")
PY
