#!/usr/bin/env python3
"""Replays a recorded KKP-shaped history through three ways of choosing what a push runs, with the
real local runner (`slipway run`), and counts executions and missed changes.

- range: what the push's own `before..after` selects (`slipway run --before B --after A`), what
  generated CI did before convergence;
- everything: every job on every push (`slipway run --all`);
- wizard: the KKP start wizard's rules, every job on a push that changed anything under kubeone/,
  kubermatic/, terraform/ or the pipeline file (slipway.yml stands for its workflow file), nothing
  otherwise (flux/ was left to Flux itself);
- converge: every job out of date since its mark (`slipway run`).

The history (`history.json`, written by `replay_history.py`) is a list of pushes, each one to three
commits, some with an injected failure of one job, some whose run is cancelled (never runs), some
force pushes; one push in ten edits a job's definition in slipway.yml. Each strategy replays it in
its own clone (its own run store), one `slipway run` per push that was not cancelled.

A change is a (push, job) pair, for a push still on main at the end, where the push changed a file the job's paths match (the patterns
here are `dir/**`, files and their negations) or the job's definition. It is lost when the job has
not succeeded at that push or a later one by the end of the first clean run from that push on (a
run that was not cancelled and had no failing job): after such a run nothing should be left to
deploy. It is never deployed when that is still so after the last push. Prints a table.

Usage: replay.py SLIPWAY WORKDIR
"""
import json
import os
import subprocess
import sys

import yaml

slipway, work = sys.argv[1], sys.argv[2]
history = json.load(open(f"{work}/history.json"))
# The wizard's workflow-level path filter for pushes (../shared/kkp-wizard.md, §2.1).
WIZARD_PATHS = ("kubeone/", "kubermatic/", "terraform/", ".github/workflows/")
origin = f"{work}/origin.git"


def git(directory, *arguments):
    return subprocess.run(["git", "-C", directory, *arguments], check=True, capture_output=True, text=True).stdout


def jobs_at(directory, commit):
    return yaml.safe_load(git(directory, "show", f"{commit}:slipway.yml"))["jobs"]


def replay(strategy):
    clone = f"{work}/{strategy}"
    subprocess.run(["git", "clone", "--quiet", origin, clone], check=True)
    git(clone, "config", "user.name", "Replay")
    git(clone, "config", "user.email", "replay@invalid")
    calls = f"{work}/{strategy}.calls"
    open(calls, "w").close()
    successes = []  # (push index, job)
    for index, push in enumerate(history):
        git(clone, "checkout", "--quiet", "-B", "main", push["after"])
        if push["cancelled"]:
            continue
        before_count = len(open(calls).read().splitlines())
        arguments = [slipway, "run", "--event", "push", "--jobs", "1"]
        if strategy == "wizard":
            changed = git(clone, "diff", "--name-only", push["before"], push["after"]).split("\n")
            if not any(path.startswith(WIZARD_PATHS) or path == "slipway.yml" for path in changed):
                continue
            arguments += ["--all"]
        elif strategy == "range":
            arguments += ["--before", push["before"], "--after", push["after"]]
        elif strategy == "everything":
            arguments += ["--all"]
        environment = dict(os.environ, CALLS=calls, FAIL=" ".join(push["fail"]))
        subprocess.run(arguments, cwd=clone, env=environment, capture_output=True)
        for line in open(calls).read().splitlines()[before_count:]:
            job, outcome = line.split()
            if outcome == "ok":
                successes.append((index, job))
    executions = len(open(calls).read().splitlines())
    return executions, successes


def affected(directory):
    """(push index, job) pairs: the push changed something the job depends on."""
    pairs = set()
    final = history[-1]["after"]
    for index, push in enumerate(history):
        before, after = push["before"], push["after"]
        # A push a later force push dropped has nothing left to deploy.
        if subprocess.run(["git", "-C", directory, "merge-base", "--is-ancestor", after, final]).returncode != 0:
            continue
        changed = git(directory, "diff", "--name-only", "--no-renames", before, after).split("\n")
        old, new = jobs_at(directory, before), jobs_at(directory, after)
        for name, job in new.items():
            if "push" not in job.get("on", ["pull_request", "push"]):
                continue
            if old.get(name) != job:
                pairs.add((index, name))
                continue
            matched = False
            for path in changed:
                included = False
                for pattern in job.get("paths", []):
                    negated = pattern.startswith("!")
                    body = pattern[1:] if negated else pattern
                    prefix = body[:-3] if body.endswith("/**") else body
                    if path == prefix or path.startswith(prefix + "/"):
                        included = not negated
                if included:
                    matched = True
            if matched:
                pairs.add((index, name))
    return pairs


results = {}
for strategy in ["wizard", "range", "everything", "converge"]:
    results[strategy] = replay(strategy)
pairs = affected(f"{work}/converge")
print(f"{len(history)} pushes ({sum(p['cancelled'] for p in history)} cancelled runs, "
      f"{sum(bool(p['fail']) for p in history)} with a failing job, {sum(p['forced'] for p in history)} force pushes); "
      f"{len(pairs)} (push, job) changes to deploy")
clean = [index for index, push in enumerate(history) if not push["cancelled"] and not push["fail"]]
print(f"{'strategy':<12} {'executions':>10} {'lost after the next clean run':>30} {'never deployed':>15}")
for strategy, (executions, successes) in results.items():
    lost = never = 0
    for index, job in pairs:
        deadline = next((c for c in clean if c >= index), len(history) - 1)
        if not any(index <= i <= deadline and j == job for i, j in successes):
            lost += 1
        if not any(i >= index and j == job for i, j in successes):
            never += 1
    print(f"{strategy:<12} {executions:>10} {lost:>30} {never:>15}")
