#!/usr/bin/env bash
# Issue 6, "the public edition page under wrk: at least 0.5 of an empty handler's throughput".
# Release build, the demo organisation in a temporary directory, the server on loopback; wrk
# (Debian package `wrk`) against the public edition page and the empty handler (/healthz)
# alternately, ROUNDS rounds of SECONDS each; prints each round, the medians and their ratio.
# On request, never in CI.
#
#   bash bench/paper_public.sh [BIN]   # BIN: the iskra binary (default: a release build)
#
# Settings: PORT (18466), ROUNDS (5), SECONDS_EACH (10), THREADS (2), CONNECTIONS (32),
# PAGE (/paper/iskra/5).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
PORT="${PORT:-18466}"
ROUNDS="${ROUNDS:-5}"
SECONDS_EACH="${SECONDS_EACH:-10}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-32}"
PAGE="${PAGE:-/paper/iskra/5}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
bin="${1:-}"
if [ -z "$bin" ]; then
  cargo build --release -q -p iskra
  bin="${CARGO_TARGET_DIR:-target}/release/iskra"
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
work="$(mktemp -d)"
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$work" && exec "$bin" demo --listen "127.0.0.1:$PORT" --data "$work/data" >"$work/demo.log" 2>&1) &
pid=$!
for _ in $(seq 1 600); do
  grep -q "Iskra is serving" "$work/demo.log" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/demo.log" >&2; exit 1; }
  sleep 0.2
done
base="http://127.0.0.1:$PORT"
page_bytes=$(curl -sf "$base$PAGE" | wc -c)
curl -sf "$base/healthz" >/dev/null
echo "page $PAGE: $page_bytes bytes; wrk -t$THREADS -c$CONNECTIONS -d${SECONDS_EACH}s, $ROUNDS rounds"
# Warm up both (the first request renders the page; the rest are served as kept).
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$base$PAGE" >/dev/null
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$base/healthz" >/dev/null
rate() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_EACH}s" "$1")
  if echo "$out" | grep -q "Non-2xx"; then echo "errors from $1:" >&2; echo "$out" >&2; exit 1; fi
  echo "$out" | awk '/Requests\/sec/ {print $2}'
}
pages=()
empties=()
for r in $(seq 1 "$ROUNDS"); do
  p=$(rate "$base$PAGE")
  e=$(rate "$base/healthz")
  pages+=("$p")
  empties+=("$e")
  echo "round $r: edition page $p req/s, /healthz $e req/s"
done
python3 - "${pages[*]}" "${empties[*]}" <<'PY'
import statistics, sys
pages = [float(x) for x in sys.argv[1].split()]
empties = [float(x) for x in sys.argv[2].split()]
mp, me = statistics.median(pages), statistics.median(empties)
ratios = [p / e for p, e in zip(pages, empties)]
print(f"median: edition page {mp:.0f} req/s, /healthz {me:.0f} req/s, ratio {mp / me:.2f} "
      f"(per round {min(ratios):.2f} to {max(ratios):.2f}); goal >= 0.5: "
      + ("met" if mp / me >= 0.5 else "NOT met"))
# The line bench/all.sh collects.
print(f"RESULT|the paper: public edition page under wrk|>= 0.5 of /healthz|{mp:.0f} req/s|"
      f"{me:.0f} req/s|{mp / me:.2f}|" + ("yes" if mp / me >= 0.5 else "no"))
PY
