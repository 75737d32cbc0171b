#!/usr/bin/env bash
# The whole Scottish corpus (1,083 wards) against pref_voting's stv_scottish.
# CI runs the sample kept in crates/count/tests/data; this runs them all (a few minutes, mostly
# pref_voting). The corpus is not in the repository: ISKRA_ELECTIONS_CORPUS names its folder
# (the one holding 3_cands/ ... 14_cands/; the mggg/scot-elex repository's blt_files/).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export ISKRA_ELECTIONS_CORPUS="${ISKRA_ELECTIONS_CORPUS:-$root/../shared/data/elections/scotland}"
[ -d "$ISKRA_ELECTIONS_CORPUS" ] || { echo "no corpus at $ISKRA_ELECTIONS_CORPUS: set ISKRA_ELECTIONS_CORPUS" >&2; exit 1; }
cargo test --release -p count --test it pref_voting:: -- --include-ignored --nocapture
