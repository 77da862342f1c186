#!/usr/bin/env python3
"""Writes a git fast-import stream of one mark per job instance (docs/planning.md: a commit of the
empty tree whose parent is the marked commit, under refs/slipway/marks/<slug>), each at a random
commit of main, read from `slipway plan --format json` on stdin (fingerprints) and the commit list
in COMMITS (one SHA per line, oldest first). Fixed seed.

Usage: detect_marks.py COMMITS < plan.json > stream
"""
import json
import random
import sys

random.seed(12)
commits = open(sys.argv[1]).read().split()
plan = json.load(sys.stdin)
out = sys.stdout.buffer
for number, instance in enumerate(plan["selected"]):
    slug = instance["id"].replace("@", "-")
    marked = random.choice(commits)
    message = (
        f"slipway mark {instance['id']}\n\nSlipway-Fingerprint: {instance['fingerprint']}\n"
        f"Slipway-Succeeded-At: {1_700_000_000 + number}\n"
    ).encode()
    out.write(f"commit refs/slipway/marks/{slug}\n".encode())
    out.write(b"committer slipway <slipway@invalid> 1700000000 +0000\n")
    out.write(b"data %d\n%s\n" % (len(message), message))
    out.write(f"from {marked}\ndeleteall\n\n".encode())
