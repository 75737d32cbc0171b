#!/usr/bin/env bash
# The whole Scottish corpus (1,083 wards) against pref_voting's stv_scottish.
# CI runs a fixed sample of 136 wards; this runs them all (a few minutes, mostly pref_voting).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cargo test --release -p iskra-count --test pref_voting -- --include-ignored --nocapture
