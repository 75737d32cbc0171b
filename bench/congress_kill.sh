#!/usr/bin/env bash
# Kill -9 during the congress vote (issue 5): 1,000 delegates vote over HTTP on loopback against
# the real `iskra serve` process on SQLite; half-way through the vote the process is killed with
# SIGKILL, restarted on the same database, and the delegates whose request died try again. Then
# the restarted server closes the vote, and every ballot acknowledged with a 303 (by either
# process) is checked in the roll with its choice; retries refused as a second vote show ballots
# that committed but whose answer died with the process, and are checked too.
#
#   bash bench/congress_kill.sh
#
# Settings (environment): RUNS (3), DELEGATES (1000), SPREAD_MS (5000: the votes are spread over
# this many milliseconds after the opening), KILL_AT_MS (SPREAD_MS/2), CARGO_TARGET_DIR
# (/work/target-congress-rel), PROFILE (release; `debug` runs a debug build, for when no release
# build can be made: the durability figures hold, the times do not compare). Results are appended
# to bench/results-congress-kill.txt.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-congress-rel}"
RUNS="${RUNS:-3}"
export DELEGATES="${DELEGATES:-1000}"
export SPREAD_MS="${SPREAD_MS:-5000}"
out="bench/results-congress-kill.txt"
PROFILE="${PROFILE:-release}"
if [ "$PROFILE" = release ]; then
  cargo build --release -q -p iskra --bin iskra --example congress_kill
else
  cargo build -q -p iskra --bin iskra --example congress_kill
fi
export ISKRA_BIN="$CARGO_TARGET_DIR/$PROFILE/iskra"
bin="$CARGO_TARGET_DIR/$PROFILE/examples/congress_kill"
ulimit -n 8192 || true
commit="$(git rev-parse --short HEAD)"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC') commit $commit, $PROFILE build, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out"
for i in $(seq 1 "$RUNS"); do
  timeout 300 "$bin" | tee -a "$out"
done
