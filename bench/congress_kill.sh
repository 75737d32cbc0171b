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
lines=()
for i in $(seq 1 "$RUNS"); do
  line="$(timeout 300 "$bin")"
  echo "$line" | tee -a "$out"
  lines+=("$line")
done
# Machine-readable summary for bench/all.sh: figure|goal|median|baseline|ratio|met.
printf '%s\n' "${lines[@]}" | python3 -c '
import sys, statistics
runs = [dict(kv.split("=", 1) for kv in l.split()) for l in sys.stdin if l.startswith("delegates=")]
d = runs[0]["delegates"]
lost = max(int(r["lost"]) + int(r["wrong_choice"]) for r in runs)
p99 = statistics.median(float(r["ack_p99_ms"]) for r in runs)
restart = statistics.median(float(r["restart_ms"]) for r in runs)
met = lambda ok: "yes" if ok else "no"
print(f"RESULT|congress: kill -9 during a vote of {d}, acknowledged ballots lost or changed (worst of {len(runs)} runs)|zero lost|{lost}|||{met(lost == 0)}")
print(f"RESULT|congress: kill -9, acknowledgement p99 before the kill (server in its own process)|<= 100 ms|{p99:.1f} ms|||{met(p99 <= 100)}")
print(f"RESULT|congress: kill -9, restart to answering|(information)|{restart:.0f} ms||||")
'

