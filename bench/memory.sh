#!/usr/bin/env bash
# Issue 8, "memory": the server holding a 1,000,000-person organisation, resident size after
# the work that grows it most: logins (each Argon2 hash takes 19 MiB while it runs), several at
# once. Uses the SQLite database that bench/search.sh builds (run that first). Goal: at most
# 200 MB resident. Then, signed in as an officer of the whole organisation (bench-sec is given
# the security office of `cc` for this, once), the organisation-wide pages that read the most at
# once: the tree (`/units`) and the exposure of every account (`/exposure`), with the resident
# size after each and the peak. On request, never in CI.
#
#   bash bench/memory.sh [BIN]      # BIN: the iskra binary (default: a release build)
#
# Settings: DATA (/work/bench-data-search), PORT (18499), LOGINS (30 per client), CLIENTS (3).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-bench}"
DATA="${DATA:-/work/bench-data-search}"
PORT="${PORT:-18499}"
LOGINS="${LOGINS:-30}"
CLIENTS="${CLIENTS:-3}"
bin="${1:-}"
if [ -z "$bin" ]; then
  cargo build --release -q -p iskra
  bin="$CARGO_TARGET_DIR/release/iskra"
fi
[ -s "$DATA/db/iskra.db" ] || { echo "no database in $DATA: run bash bench/search.sh sqlite first" >&2; exit 1; }
export ISKRA_KEY_FILE="$DATA/keys/bench.key"
# The security office of the whole organisation, for the organisation-wide pages (idempotent:
# granted once, kept in the benchmark's database).
if ! "$bin" roles list --database "sqlite://$DATA/db/iskra.db" 2>/dev/null | grep "bench-sec.*security" >/dev/null; then
  "$bin" roles grant bench-sec security cc --database "sqlite://$DATA/db/iskra.db" >/dev/null
fi
"$bin" serve --database "sqlite://$DATA/db/iskra.db" --listen "127.0.0.1:$PORT" --insecure-localhost \
  >"$DATA/serve-memory.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
  sleep 0.2
done
echo "started: $(grep VmRSS /proc/$pid/status)"
rss_kb() { sed -n "s/^$1:\s*\([0-9]*\) kB/\1/p" "/proc/$pid/status"; }
started_kb=$(rss_kb VmRSS)
python3 - "$PORT" "$LOGINS" "$CLIENTS" <<'PY'
import http.client, sys, threading, urllib.parse
port, logins, clients = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def one():
    for _ in range(logins):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", "/login",
                  urllib.parse.urlencode({"login": "bench-sec", "password": "bench-password-not-secret"}),
                  {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"})
        r = c.getresponse(); r.read(); c.close()
        if r.status != 303:
            sys.exit(f"login: {r.status}")
ts = [threading.Thread(target=one) for _ in range(clients)]
[t.start() for t in ts]; [t.join() for t in ts]
PY
echo "after $((LOGINS * CLIENTS)) logins, $CLIENTS at a time: $(grep -E 'VmRSS|VmHWM' /proc/$pid/status | tr -s ' \t\n' ' ')"
now_kb=$(rss_kb VmRSS)
logins_peak_kb=$(rss_kb VmHWM)
# The organisation-wide pages, one after the other on one session.
pages="$(python3 - "$PORT" "$pid" <<'PY'
import http.client, sys, time, urllib.parse
port = int(sys.argv[1])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
c.request("POST", "/login",
          urllib.parse.urlencode({"login": "bench-sec", "password": "bench-password-not-secret"}),
          {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{port}"})
r = c.getresponse(); r.read()
cookie = r.getheader("Set-Cookie").split(";")[0]
out = []
pid = sys.argv[2]
def hwm():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
for path in ("/units", "/exposure"):
    # Each page's peak is its own: the logins' Argon2 memory (three hashes at once) or the page
    # before would otherwise hide a lower one. Writing 5 resets VmHWM to the current VmRSS.
    open(f"/proc/{pid}/clear_refs", "w").write("5")
    t = time.monotonic()
    c.request("GET", path, headers={"Cookie": cookie})
    r = c.getresponse(); body = r.read()
    if r.status != 200:
        sys.exit(f"{path}: {r.status}")
    out.append(f"{path}={time.monotonic() - t:.2f}s,{len(body)}B,peak={hwm()}MB")
print(" ".join(out))
PY
)"
echo "organisation-wide pages as the security officer of cc ($pages): $(grep -E 'VmRSS|VmHWM' /proc/$pid/status | tr -s ' \t\n' ' ')"
pages_kb=$(rss_kb VmRSS)
# Machine-readable summary for bench/all.sh: figure|goal|median|baseline|ratio|met.
people=$(sqlite3 "$DATA/db/iskra.db" "select count(*) from persons")
python3 -c '
import sys
people, logins, now, start, peak = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]) / 1024, int(sys.argv[4]) / 1024, int(sys.argv[5]) / 1024
pages, pages_peak = int(sys.argv[6]) / 1024, int(sys.argv[7]) / 1024
met = lambda mb: "yes" if mb <= 200 else "no"
print(f"RESULT|server resident memory, {people:,} people, after {logins} logins (peak {peak:.0f} MB)|≤ 200 MB|"
      f"{now:.0f} MB|started {start:.0f} MB|{now / start:.1f}×|{met(now)}")
print(f"RESULT|server resident memory, {people:,} people, after the tree and the exposure of every account (the exposure page’s peak {pages_peak:.0f} MB)|≤ 200 MB|"
      f"{pages:.0f} MB|started {start:.0f} MB|{pages / start:.1f}×|{met(pages_peak)}")
' "$people" "$((LOGINS * CLIENTS))" "$now_kb" "$started_kb" "$logins_peak_kb" "$pages_kb" "$(rss_kb VmHWM)"
