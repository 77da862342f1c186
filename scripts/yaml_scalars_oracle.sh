#!/usr/bin/env bash
# Reads a YAML mapping on stdin with Ruby's Psych (what GitLab parses with) and Python's PyYAML
# (YAML 1.1, the strictest reading a platform may use) and prints, per parser, each key's value as
# [key, type, text] in JSON, one parser per line. Used by YAMLWriterTests.
set -euo pipefail
input=$(cat)
printf '%s' "$input" | ruby -E UTF-8:UTF-8 -rdate -ryaml -rjson -e '
  document = YAML.safe_load(STDIN.read, permitted_classes: [Date, Time, Symbol], aliases: false)
  puts JSON.generate(document.map { |key, value| [key.to_s, value.class.name, value.to_s] })'
printf '%s' "$input" | python3 -c '
import json, sys, yaml
document = yaml.safe_load(sys.stdin.buffer.read().decode("utf-8"))
print(json.dumps([[str(key), type(value).__name__, str(value)] for key, value in document.items()]))'
