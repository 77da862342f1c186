#!/usr/bin/env python3
"""Runs both sides of the planner benchmark on a workload from plan_workload.py and prints the
median, the peer's time and the ratio. Exits non-zero when the two disagree on a sampled job."""
import json
import statistics
import subprocess
import sys
import time

binary, workload, jobs, changed, runs, sample = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:7])

times = []
for _ in range(runs):
    start = time.perf_counter()
    result = subprocess.run(
        [binary, "plan", "--spec", f"{workload}/slipway.yml", "--event", "push",
         "--changed-from", f"{workload}/changed.txt", "--format", "json"],
        check=True, capture_output=True)
    times.append(time.perf_counter() - start)
median = statistics.median(times)
plan = json.loads(result.stdout)

peer_output = subprocess.run(
    [sys.executable, f"{sys.path[0]}/pathspec_plan.py", workload, str(sample)], check=True, capture_output=True)
peer = json.loads(peer_output.stdout)
ours = {entry["id"] for entry in plan["selected"]}
sampled = set(peer["jobs"])
if ours & sampled != set(peer["selected"]):
    sys.exit(f"disagreement on sampled jobs: slipway {sorted(ours & sampled)} pathspec {sorted(peer['selected'])}")
extrapolated = peer["seconds"] / len(peer["jobs"]) * jobs
print(f"workload: {jobs} jobs x 10 patterns, {changed} changed paths; slipway selected {len(ours)} jobs")
print(f"slipway plan, whole process, median of {runs}: {median:.3f} s (min {min(times):.3f}, max {max(times):.3f})")
print(f"pathspec GitIgnoreSpec: {peer['seconds']:.2f} s for {len(peer['jobs'])} sampled jobs"
      f" -> {extrapolated:.1f} s for {jobs} jobs (extrapolated)")
print(f"ratio: slipway is {extrapolated / median:.0f}x faster (targets: under 0.5 s, at least 10x)")
