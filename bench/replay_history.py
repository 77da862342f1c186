#!/usr/bin/env python3
"""Writes a KKP-shaped repository and its recorded history into WORKDIR for replay.py: a bare
origin.git whose main holds PUSHES pushes, and history.json describing each push (before, after,
the job that fails in its run, whether the run is cancelled, whether it was a force push).

The spec has the seed's chain: terraform-plan → terraform-apply → kubeone-apply → kkp-deploy →
dns-update and flux-bootstrap, and docs. Every job's script appends `<job> ok|failed` to $CALLS,
and fails when $FAIL names it. Fixed seed.

Usage: replay_history.py WORKDIR PUSHES
"""
import json
import random
import subprocess
import sys

work, pushes = sys.argv[1], int(sys.argv[2])
random.seed(76)
repo = f"{work}/recording"


def git(*arguments):
    return subprocess.run(["git", "-C", repo, *arguments], check=True, capture_output=True, text=True).stdout.strip()


JOBS = [
    ("terraform-plan", False, [], ["terraform/**", "!terraform/dns/**"]),
    ("terraform-apply", True, ["terraform-plan"], ["terraform/**", "!terraform/dns/**"]),
    ("kubeone-apply", True, ["terraform-apply"], ["kubeone/**"]),
    ("kkp-deploy", True, ["kubeone-apply"], ["kubermatic/**", "!kubermatic/README.md"]),
    ("dns-update", True, ["kkp-deploy"], ["terraform/dns/**"]),
    ("flux-bootstrap", True, ["kkp-deploy"], ["flux/**"]),
    ("docs", False, [], ["docs/**"]),
]
version = {name: 1 for name, *_ in JOBS}


def spec():
    lines = ["version: 1", "environments: [master]", "jobs:"]
    for name, mutates, needs, paths in JOBS:
        lines.append(f"  {name}:")
        lines.append("    on: [push]")
        if mutates:
            lines += ["    mutates: true", "    environment: master"]
        if needs:
            lines.append(f"    needs: [{', '.join(needs)}]")
        lines.append(f"    paths: {json.dumps(paths)}")
        lines.append("    run: |")
        lines.append(f"      # definition {version[name]}")
        lines.append(f'      case " $FAIL " in *" {name} "*) echo "{name} failed" >>"$CALLS"; exit 1 ;; esac')
        lines.append(f'      echo "{name} ok" >>"$CALLS"')
    return "\n".join(lines) + "\n"


FILES = {
    "terraform": ["terraform/aws/main.tf", "terraform/aws/variables.tf", "terraform/aws/outputs.tf"],
    "dns": ["terraform/dns/main.tf"],
    "kubeone": ["kubeone/kubeone.yaml", "kubeone/addons/storage.yaml"],
    "kubermatic": ["kubermatic/values.yaml", "kubermatic/kubermatic.yaml", "kubermatic/README.md"],
    "flux": ["flux/clusters/seed/seed.yaml", "flux/clusters/seed/project.yaml"],
    "docs": ["docs/index.md", "README.md"],
}
WEIGHTS = {"kubermatic": 30, "flux": 20, "terraform": 15, "kubeone": 10, "docs": 15, "dns": 5, "spec": 10}

subprocess.run(["git", "init", "--quiet", "--initial-branch=main", repo], check=True)
git("config", "user.name", "Recorder")
git("config", "user.email", "recorder@invalid")
counter = 0


def write(path, text):
    import os
    os.makedirs(os.path.dirname(f"{repo}/{path}") or repo, exist_ok=True)
    with open(f"{repo}/{path}", "w") as handle:
        handle.write(text)


def commit(message):
    git("add", "--all")
    git("commit", "--quiet", "--allow-empty", "-m", message)
    return git("rev-parse", "HEAD")


for files in FILES.values():
    for path in files:
        write(path, "initial\n")
write("slipway.yml", spec())
base = commit("initial")
subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", f"{work}/origin.git"], check=True)
git("push", "--quiet", f"{work}/origin.git", "main")

history = []
head = base
for number in range(pushes):
    forced = number > 3 and random.random() < 0.04
    if forced:
        git("reset", "--quiet", "--hard", "HEAD~1")
    for _ in range(random.choice([1, 1, 1, 2, 3])):
        area = random.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        counter += 1
        if area == "spec":
            name = random.choice([name for name, *_ in JOBS])
            version[name] += 1
            write("slipway.yml", spec())
        else:
            path = random.choice(FILES[area])
            write(path, f"change {counter}\n")
        commit(f"push {number}: {area}")
    after = git("rev-parse", "HEAD")
    git("push", "--quiet", "--force", f"{work}/origin.git", "main")
    roll = random.random()
    fail = [random.choice([name for name, mutates, *_ in JOBS if mutates])] if roll < 0.08 else []
    history.append({
        "before": head, "after": after, "fail": fail, "cancelled": 0.08 <= roll < 0.13, "forced": forced,
    })
    head = after
json.dump(history, open(f"{work}/history.json", "w"), indent=1)
