#!/usr/bin/env bash
# Writes SIZE bytes of log-like lines, every one containing the secret value, to standard output.
# yes(1) ends with SIGPIPE once head has enough, so no pipefail here.
set -eu
yes "2026-11-21T09:00:00Z terraform apply: token=$SECRET_VALUE ok" | head -c "$1"
