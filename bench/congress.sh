#!/usr/bin/env bash
# The congress under load (issue 5): 1,000 delegates connected to the live stream cast a vote
# within a few seconds of its opening, over HTTP on loopback, on SQLite; then the presidium closes
# the vote. Figures: acknowledgement of each vote (goal p99 <= 100 ms), zero lost (every
# acknowledged vote is counted, and the roll holds exactly those), all cast within 10 s, and
# the result published to every stream at most 1 s after the close. Baseline, side by side in the
# same run: the same clients with the same spread send GET /healthz (a handler that touches
# nothing) just before the vote opens, with the same streams open.
#
#   bash bench/congress.sh
#
# Settings (environment): RUNS (3; each figure is the median of the runs'), DELEGATES (1000),
# SPREAD_MS (5000: the delegates' clicks are spread over this many milliseconds after the vote
# opens), CARGO_TARGET_DIR (/work/target-congress). Each run takes about a minute; everything
# goes to 127.0.0.1 and every loop is bounded in count and time. Results are appended to
# bench/results-congress.txt (one line per run) and the medians printed as a table for
# BENCHMARKS.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-congress}"
RUNS="${RUNS:-3}"
export DELEGATES="${DELEGATES:-1000}"
export SPREAD_MS="${SPREAD_MS:-5000}"
out="bench/results-congress.txt"
cargo build --release -q -p web --example congress_load
bin="$CARGO_TARGET_DIR/release/examples/congress_load"
# Each delegate holds two connections (the stream and its requests).
ulimit -n 8192 || true
commit="$(git rev-parse --short HEAD)"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC') commit $commit, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out"
lines=()
for i in $(seq 1 "$RUNS"); do
  line="$(timeout 300 "$bin")"
  echo "$line" | tee -a "$out"
  lines+=("$line")
done
printf '%s\n' "${lines[@]}" | python3 -c '
import sys, statistics
runs = [dict(kv.split("=", 1) for kv in l.split()) for l in sys.stdin if l.strip()]
def med(k): return statistics.median(float(r[k]) for r in runs)
def each(k): return ",".join(r[k] for r in runs)
print("| figure | goal | SQLite (median of %d runs) | runs |" % len(runs))
print("|---|---|---|---|")
print("| votes acknowledged / counted / in the roll / lost | zero lost | %s / %s / %s / %s | lost %s |" % (runs[0]["acked"], runs[0]["counted"], runs[0]["roll"], runs[0]["lost"], each("lost")))
print("| all %s votes cast, from the opening | within 10 s | %.2f s | %s |" % (runs[0]["delegates"], med("all_cast_s"), each("all_cast_s")))
print("| acknowledgement of a vote, p99 | <= 100 ms | %.1f ms | %s |" % (med("ack_p99_ms"), each("ack_p99_ms")))
print("|   p50 / max |  | %.1f / %.1f ms | |" % (med("ack_p50_ms"), med("ack_max_ms")))
print("|   baseline GET /healthz, same clients and spread, p99 (p50) |  | %.1f ms (%.1f ms) | %s |" % (med("healthz_p99_ms"), med("healthz_p50_ms"), each("healthz_p99_ms")))
print("| result published to every stream after the close, max (p99) | <= 1 s | %.0f ms (%.0f ms) | %s |" % (med("publish_max_ms"), med("publish_p99_ms"), each("publish_max_ms")))
print("|   the close request itself |  | %.0f ms | %s |" % (med("close_ms"), each("close_ms")))
# Machine-readable summary for bench/all.sh: figure|goal|median|baseline|ratio|met.
d, lost = runs[0]["delegates"], max(int(r["lost"]) for r in runs)
ack, hz = med("ack_p99_ms"), med("healthz_p99_ms")
print()
print("RESULT|congress: %s delegates vote live, votes lost (worst run)|zero lost|%d|||%s" % (d, lost, "yes" if lost == 0 else "no"))
print("RESULT|congress: all %s votes cast, from the opening|within 10 s|%.2f s|||%s" % (d, med("all_cast_s"), "yes" if med("all_cast_s") <= 10 else "no"))
print("RESULT|congress: acknowledgement of a vote, p99|<= 100 ms|%.1f ms|GET /healthz %.1f ms|%.1fx|%s" % (ack, hz, ack / hz if hz else 0, "yes" if ack <= 100 else "no"))
print("RESULT|congress: result published to every stream after the close|<= 1 s|%.0f ms|||%s" % (med("publish_max_ms"), "yes" if med("publish_max_ms") <= 1000 else "no"))
'
