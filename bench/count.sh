#!/usr/bin/env bash
# Benchmark the count (issue 4): builds release, generates the inputs deterministically,
# times iskra against pref_voting on the same files, and times the whole Scottish corpus.
#
#   bench/count.sh                 # prints a markdown table
#   RUNS=7 PV_RUNS=3 bench/count.sh
#
# Needs python3 with pref_voting and numpy (numpy comes with pref_voting).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
work="${WORK:-${TMPDIR:-/tmp}/iskra-count-bench}"
# The whole Scottish corpus is not in the repository (see crates/count/tests/data/README.md).
corpus="${CORPUS:-${ISKRA_ELECTIONS_CORPUS:-$root/../shared/data/elections/scotland}}"
mkdir -p "$work"

# Prefer `iskra count`; until the subcommand is wired (or if the binary does not build),
# use the count crate's example, which runs the same library path.
bin=()
if [ -n "${ISKRA_BIN:-}" ]; then
  bin=("$ISKRA_BIN" count)
elif [ -f crates/iskra/src/cmd/count.rs ] && cargo build --release -q -p iskra 2>/dev/null \
  && "$CARGO_TARGET_DIR/release/iskra" count --help >/dev/null 2>&1; then
  bin=("$CARGO_TARGET_DIR/release/iskra" count)
else
  cargo build --release -q -p count --example count
  bin=("$CARGO_TARGET_DIR/release/examples/count")
fi
echo "binary: ${bin[*]}" >&2

# STV_BALLOTS (default 1,000,000) and the runs can be made smaller (bench/all.sh's QUICK=1).
export STV_BALLOTS="${STV_BALLOTS:-1000000}"
stv="$work/stv-1m-30c-5s.blt"
[ "$STV_BALLOTS" = 1000000 ] || stv="$work/stv-$STV_BALLOTS-30c-5s.blt"
export STV_FILE="$stv"
[ -s "$stv" ] || python3 bench/count/generate.py stv "$stv" "$STV_BALLOTS"
[ -s "$work/schulze-10k-20.blt" ] || python3 bench/count/generate.py schulze "$work/schulze-10k-20.blt"
md5sum "$work"/*.blt >&2

python3 bench/count/bench.py "$(printf '%s\n' "${bin[@]}" | paste -sd' ')" "$work" "$corpus"
