#!/usr/bin/env bash
# Formats the Swift sources with the toolchain's swift-format and the committed .swift-format.
# `scripts/format.sh --check` changes nothing and fails when a file is not formatted or a lint
# rule is broken; CI runs it that way.
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Package.swift Sources Tests)
if [[ "${1:-}" == "--check" ]]; then
    swift format lint --strict --recursive --parallel "${paths[@]}"
else
    swift format format --in-place --recursive --parallel "${paths[@]}"
fi
