#!/usr/bin/env python3
"""Times `slipway generate` (whole process, median of RUNS) on a workload from
generate_workload.py, and, as the peer, PyYAML emitting the same documents (parsed from Slipway's
output) in one Python process. Prints both and the ratio."""
import glob
import statistics
import subprocess
import sys
import time

import yaml

binary, workload, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
platforms = sys.argv[4:]
arguments = [binary, "generate", "--spec", f"{workload}/slipway.yml", "--output-dir", f"{workload}/out"]
for platform in platforms:
    arguments += ["--platform", platform]
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(arguments, check=True, capture_output=True)
    times.append(time.perf_counter() - start)
files = sorted(glob.glob(f"{workload}/out/**/*.yml", recursive=True) + glob.glob(f"{workload}/out/.*/**/*.yml", recursive=True)
               + glob.glob(f"{workload}/out/.gitlab-ci.yml"))
documents = [yaml.safe_load(open(path)) for path in set(files)]
size = sum(len(open(path).read()) for path in set(files))
peer = []
for _ in range(runs):
    start = time.perf_counter()
    for document in documents:
        yaml.safe_dump(document, sort_keys=False)
    peer.append(time.perf_counter() - start)
ours, theirs = statistics.median(times), statistics.median(peer)
print(f"platforms: {', '.join(platforms)}; {len(set(files))} files, {size / 1024:.0f} KiB")
print(f"slipway generate, whole process, median of {runs}: {ours * 1000:.1f} ms (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")
print(f"PyYAML safe_dump of the same documents, in-process, median of {runs}: {theirs * 1000:.1f} ms")
print(f"ratio: slipway is {theirs / ours:.1f}x the speed of PyYAML's emitter (target: under 100 ms)")
