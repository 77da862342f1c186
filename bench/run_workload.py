#!/usr/bin/env python3
"""Writes the runner benchmark's DAG twice: as slipway.yml and as build.ninja, same jobs, same
edges, same shell command. Usage: run_workload.py OUT_DIR JOBS COMMAND [SLEEP_SPEC]

Each job i depends on up to two random earlier jobs (fixed seed). With SLEEP_SPEC ("min,max"),
job i runs `sleep <seconds>` instead of COMMAND and the script prints the critical path."""
import random
import sys

out, jobs, command = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sleeps = tuple(float(x) for x in sys.argv[4].split(",")) if len(sys.argv) > 4 else None
rng = random.Random(1121)
needs = [sorted(set(rng.sample(range(i), min(i, rng.randint(0, 2))))) for i in range(jobs)]
durations = [round(rng.uniform(*sleeps), 2) if sleeps else 0 for _ in range(jobs)]
commands = [f"sleep {durations[i]}" if sleeps else command for i in range(jobs)]

with open(f"{out}/slipway.yml", "w") as spec:
    spec.write("version: 1\nname: bench\njobs:\n")
    for i in range(jobs):
        spec.write(f"  j{i}:\n    paths: [\"**\"]\n    run: {commands[i]}\n")
        if needs[i]:
            spec.write(f"    needs: [{', '.join(f'j{n}' for n in needs[i])}]\n")

with open(f"{out}/build.ninja", "w") as ninja:
    ninja.write("rule run\n  command = $cmd\n\n")
    for i in range(jobs):
        inputs = " ".join(f"j{n}" for n in needs[i])
        ninja.write(f"build j{i}: phony\n" if False else f"build j{i}: run | {inputs}\n  cmd = {commands[i]} && touch j{i}\n" if inputs
                    else f"build j{i}: run\n  cmd = {commands[i]} && touch j{i}\n")
    ninja.write("default " + " ".join(f"j{i}" for i in range(jobs)) + "\n")

if sleeps:
    finish = []
    for i in range(jobs):
        finish.append(durations[i] + max((finish[n] for n in needs[i]), default=0))
    print(f"{max(finish):.3f}")
