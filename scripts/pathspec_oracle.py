#!/usr/bin/env python3
"""Answers, with Python's pathspec, whether each pattern list selects each path.

Reads JSON from stdin: [[patterns, path], ...]. Prints a JSON list of booleans. Slipway's
differential test compares its own matcher with these answers.

Each pattern is matched on its own by GitIgnoreSpec, which replicates git (a pattern that matches
a directory matches everything below it); the list is then decided by Slipway's rule, "the last
matching pattern wins". GitIgnoreSpec's own list handling adds git's directory-priority quirk for
negations, which Slipway deliberately does not follow (docs/decisions.md).
"""
import json
import sys

import pathspec

cases = json.load(sys.stdin)
answers = []
for patterns, path in cases:
    selected = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern[1:] if negated else pattern
        if pathspec.GitIgnoreSpec.from_lines([body]).match_file(path):
            selected = not negated
    answers.append(selected)
json.dump(answers, sys.stdout)
