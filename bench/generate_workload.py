#!/usr/bin/env python3
"""Writes the generation benchmark's spec: JOBS jobs in services of five (validate, plan, apply,
smoke test, notify) with per-service paths, secrets, artifacts, gates and one shared environment.
Usage: generate_workload.py OUT_DIR JOBS [PLATFORMS]"""
import sys

out, jobs = sys.argv[1], int(sys.argv[2])
platforms = sys.argv[3] if len(sys.argv) > 3 else "github, gitlab, bitbucket"
services = (jobs + 4) // 5
lines = [
    "version: 1",
    "name: bench",
    f"platforms: [{platforms}]",
    "secrets: [CLOUD_TOKEN]",
    # terraform pinned as `slipway tools lock` writes it (the real 1.11.4 digests), so every
    # terraform job carries the install step users get.
    "tools:",
    "  terraform:",
    "    version: 1.11.4",
    "    sha256:",
    "      linux-amd64: 1ce994251c00281d6845f0f268637ba50c0005657eb3cf096b92f753b42ef4dc",
    "      linux-arm64: a43d1d0da9b9bab214a8305a39db0e40869572594ccf50c416a7756499143633",
    "environments:",
    "  - name: prod",
    "    gate: manual",
    "jobs:",
]
count = 0
for s in range(services):
    paths = f'["services/svc-{s}/**", "modules/m{s % 40}/**"]'
    definitions = [
        (f"validate-{s}", f"    paths: {paths}\n    run: terraform -chdir=services/svc-{s} validate\n"),
        (f"plan-{s}", f"    needs: [validate-{s}]\n    paths: {paths}\n    secrets: [CLOUD_TOKEN]\n"
                      f"    produces: [services/svc-{s}/plan.tfplan]\n    run: terraform -chdir=services/svc-{s} plan -out=plan.tfplan\n"),
        (f"apply-{s}", f"    on: [push]\n    needs: [plan-{s}]\n    paths: {paths}\n    mutates: true\n    environment: prod\n"
                       f"    secrets: [CLOUD_TOKEN]\n    run: terraform -chdir=services/svc-{s} apply plan.tfplan\n"),
        (f"smoke-{s}", f"    on: [push]\n    needs: [apply-{s}]\n    paths: [\"tests/svc-{s}/**\"]\n    retry: 1\n"
                       f"    run: ./tests/svc-{s}/smoke.sh\n"),
        (f"notify-{s}", f"    on: [manual]\n    run: echo notify svc-{s}\n"),
    ]
    for name, body in definitions:
        if count == jobs:
            break
        lines.append(f"  {name}:\n{body.rstrip()}")
        count += 1
open(f"{out}/slipway.yml", "w").write("\n".join(lines) + "\n")
