# shellcheck shell=bash
# Sourced by the benchmarks: sets $slipway to SLIPWAY_BINARY when given (a build you already have,
# a debug one to try a script), else to a fresh release build.
if [[ -n ${SLIPWAY_BINARY:-} ]]; then
    slipway=$SLIPWAY_BINARY
else
    swift build -c release --product slipway >/dev/null
    slipway=$PWD/.build/release/slipway
fi
export slipway
