#!/usr/bin/env python3
"""Writes the planner benchmark's workload into a directory: a spec of JOBS jobs with 10 paths
patterns each (anchored prefixes, `**` patterns, extensions, negations) and CHANGED changed paths
across the same tree. Deterministic for a given seed."""
import random
import sys

out, jobs, changed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(20261121)
environments = ["dev", "staging", "prod"]
services = int(jobs * 1.5)
# Changes touch a third of the services, so about a third of the jobs are selected and the rest
# must be ruled out against every changed path.
touched = rng.sample(range(services), services // 3)

with open(f"{out}/slipway.yml", "w") as spec:
    spec.write("version: 1\nname: bench\njobs:\n")
    for i in range(jobs):
        env = environments[i % 3]
        patterns = [
            f"services/svc-{i}/**",
            f"charts/svc-{i}/**",
            f"deploy/{env}/svc-{i}/*.yaml",
            f"libs/lib-{i % 80}/src/**",
            f"**/svc-{i}.tf",
            f"terraform/modules/m{i % 150}/*.tf",
            f"!services/svc-{i}/**/*.md",
            "!**/testdata/**",
            f"config/svc-{i}.yml",
            f"*.svc{i}",
        ]
        quoted = ", ".join(f'"{p}"' for p in patterns)
        spec.write(f"  job-{i}:\n    run: make svc-{i}\n    paths: [{quoted}]\n")

kinds = [
    lambda: f"services/svc-{rng.choice(touched)}/src/pkg{rng.randrange(20)}/file{rng.randrange(50)}.go",
    lambda: f"services/svc-{rng.choice(touched)}/README.md",
    lambda: f"services/svc-{rng.choice(touched)}/testdata/case{rng.randrange(30)}.json",
    lambda: f"charts/svc-{rng.choice(touched)}/templates/t{rng.randrange(10)}.yaml",
    lambda: f"deploy/{rng.choice(environments)}/svc-{rng.choice(touched)}/values.yaml",
    lambda: f"libs/lib-{rng.randrange(120)}/test/t{rng.randrange(40)}.py",
    lambda: f"terraform/modules/m{rng.randrange(300)}/README.md",
    lambda: f"docs/guide/chapter{rng.randrange(500)}/page{rng.randrange(20)}.md",
    lambda: f"assets/img{rng.randrange(1000)}/icon{rng.randrange(10)}.png",
]
paths = set()
while len(paths) < changed:
    paths.add(rng.choice(kinds)())
with open(f"{out}/changed.txt", "w") as listing:
    listing.write("\n".join(sorted(paths, key=lambda _: rng.random())) + "\n")
