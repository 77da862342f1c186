#!/usr/bin/env python3
"""Times `slipway run` and `ninja` on the same DAG (median of RUNS, fresh state each time)."""
import shutil
import statistics
import subprocess
import sys
import time

binary, workload, runs, parallelism = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def clean():
    shutil.rmtree(f"{workload}/.slipway", ignore_errors=True)
    subprocess.run(["bash", "-c", f"cd {workload} && rm -f j[0-9]* .ninja_log .ninja_deps"], check=True)

def timed(command):
    clean()
    start = time.perf_counter()
    subprocess.run(command, cwd=workload, check=True, capture_output=True)
    return time.perf_counter() - start

ours = [timed([binary, "run", "--event", "push", "--changed", "x", "--jobs", parallelism]) for _ in range(runs)]
theirs = [timed(["ninja", f"-j{parallelism}"]) for _ in range(runs)]
print(f"slipway run --jobs {parallelism}: median {statistics.median(ours):.3f} s (min {min(ours):.3f})")
print(f"ninja -j{parallelism}: median {statistics.median(theirs):.3f} s (min {min(theirs):.3f})")
print(f"ratio: {statistics.median(ours) / statistics.median(theirs):.2f}x ninja")
