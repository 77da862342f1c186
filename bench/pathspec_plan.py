#!/usr/bin/env python3
"""The peer for the planner benchmark: Python's pathspec (GitIgnoreSpec) deciding, for a sample of
the workload's jobs, whether any changed path matches the job's patterns -- the same question
`slipway plan` answers for every job. Prints JSON: seconds for the sample, sampled job count, and
the ids it selected, so the benchmark can check that both tools agree."""
import json
import re
import sys
import time

import pathspec

workload, sample = sys.argv[1], int(sys.argv[2])
jobs = []
for line in open(f"{workload}/slipway.yml"):
    if line.startswith("  job-"):
        jobs.append([line.strip().rstrip(":"), None])
    elif line.startswith("    paths: "):
        jobs[-1][1] = re.findall(r'"([^"]*)"', line)
paths = [p for p in open(f"{workload}/changed.txt").read().split("\n") if p]
step = max(1, len(jobs) // sample)
chosen = jobs[::step][:sample]

start = time.perf_counter()
selected = []
for name, patterns in chosen:
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    if any(spec.match_file(path) for path in paths):
        selected.append(name)
elapsed = time.perf_counter() - start
json.dump({"seconds": elapsed, "jobs": [name for name, _ in chosen], "selected": selected}, sys.stdout)
