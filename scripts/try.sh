#!/usr/bin/env bash
# Builds slipway and runs it on the bundled KKP example: validate, plan a push that touches
# Terraform, and draw the job graph.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product slipway
slipway=.build/debug/slipway
spec=examples/kkp/slipway.yml
set -x
"$slipway" validate --spec "$spec"
"$slipway" plan --spec "$spec" --event push --changed terraform/aws/main.tf --changed kubermatic/README.md
"$slipway" plan --spec "$spec" --event pull_request --changed terraform/aws/main.tf --format markdown
"$slipway" graph --spec "$spec"
