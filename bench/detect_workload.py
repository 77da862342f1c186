#!/usr/bin/env python3
"""Writes a git fast-import stream for the detection benchmark to stdout: a repository of FILES
files in SERVICES services (services/svc-N/dir-M/file-K.tf, a few README.md among them) with
COMMITS commits after the first, each changing one to five random files, and slipway.yml with one
job per service (`services/svc-N/**` without its Markdown). Fixed seed.

Usage: detect_workload.py FILES COMMITS SERVICES > stream
"""
import random
import sys

files, commits, services = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
random.seed(20261201)
out = sys.stdout.buffer
per_service = files // services
paths = []
for service in range(services):
    for index in range(per_service):
        name = "README.md" if index % 97 == 0 else f"file-{index}.tf"
        paths.append(f"services/svc-{service}/dir-{index % 10}/{name}")

spec = ["version: 1", "platforms: [gitlab]", "jobs:"]
for service in range(services):
    spec += [
        f"  svc-{service}:",
        "    on: [pull_request, push, manual]",
        f'    paths: ["services/svc-{service}/**", "!services/svc-{service}/**/*.md"]',
        f"    run: echo deploying svc-{service}",
    ]
spec_text = "\n".join(spec) + "\n"


def blob(mark, data):
    out.write(b"blob\nmark :%d\ndata %d\n" % (mark, len(data)) + data + b"\n")


blob(1, b"resource \"null_resource\" \"x\" {}\n")
blob(2, spec_text.encode())
when = 1_700_000_000


def commit(number, message, body, parent):
    text = message.encode()
    out.write(b"commit refs/heads/main\nmark :%d\n" % number)
    out.write(b"committer Bench <bench@invalid> %d +0000\n" % (when + number))
    out.write(b"data %d\n%s\n" % (len(text), text))
    if parent:
        out.write(b"from :%d\n" % parent)
    out.write(body)
    out.write(b"\n")


initial = b"".join(b"M 100644 :1 %s\n" % path.encode() for path in paths) + b"M 100644 :2 slipway.yml\n"
commit(1_000_000, "initial", initial, None)
next_blob = 3
for number in range(1, commits + 1):
    body = b""
    for path in random.sample(paths, random.randint(1, 5)):
        data = f"# change {number}\n".encode()
        blob(next_blob, data)
        body += b"M 100644 :%d %s\n" % (next_blob, path.encode())
        next_blob += 1
    commit(1_000_000 + number, f"change {number}", body, 1_000_000 + number - 1)
