#!/usr/bin/env bash
# The benchmark figures of issue 3 (accounts and access): login, the secretary's unit page with
# identities decrypted, and that page's throughput under wrk, on a generated organisation of a
# million people (SQLite). Heavy (a million people, about 4 GB of disk for the database and its
# copy; the database takes about 3 minutes to build the first time, then each of the RUNS runs
# about 2.5 minutes): run on request, never in CI.
#
#   bash bench/accounts.sh            # builds the database if $DATA has none with the secretary,
#                                     # else reuses it (REUSE=0 forces a fresh one)
#
# Settings (environment): RUNS (3: each figure is the median of the runs' figures),
# PEOPLE (1000000), SEED (1912), DATA (/work/bench-data-accounts: generated files, outside the
# repository), PORT (18474), LOGINS (30 of each kind),
# PAGE_WARMUP (20), PAGE_RUNS (300), WRK_ROUNDS (3), WRK_SECONDS (10), WRK_THREADS (2),
# WRK_CONNECTIONS (8), REUSE (auto), CARGO_TARGET_DIR (/work/target-bench).
#
# Every request goes to 127.0.0.1 (loopback only) and is bounded in time and number. Baselines
# run side by side in the same run (GET /healthz, a handler that touches nothing, alternately
# with the measured request) and every figure is a median. Results are kept in
# $DATA/results-accounts.txt, and the section "## Accounts and access (issue 3)" of
# BENCHMARKS.md is rewritten from them (bench/accounts_report.py; notes from
# bench/accounts-notes.md).
#
# Needs: sqlite3, python3 (the HTTP client and the report), and wrk for the throughput figure:
#   apt-get install -y wrk
# Failed logins are throttled after 5 per login name and per client address, so every failed
# attempt comes from its own loopback source address (127.0.1.N, 127.0.2.N), and the right
# password, given between them, clears the account's record.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-bench}"
PEOPLE="${PEOPLE:-1000000}"
SEED="${SEED:-1912}"
DATA="${DATA:-/work/bench-data-accounts}"
PORT="${PORT:-18474}"
LOGINS="${LOGINS:-30}"
PAGE_WARMUP="${PAGE_WARMUP:-20}"
PAGE_RUNS="${PAGE_RUNS:-300}"
WRK_ROUNDS="${WRK_ROUNDS:-3}"
WRK_SECONDS="${WRK_SECONDS:-10}"
WRK_THREADS="${WRK_THREADS:-2}"
WRK_CONNECTIONS="${WRK_CONNECTIONS:-8}"
REUSE="${REUSE:-}"
RUNS="${RUNS:-3}"
command_line="${REUSE:+REUSE=$REUSE }bash bench/accounts.sh"

command -v sqlite3 >/dev/null || { echo "sqlite3 is missing" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install -y time" >&2; exit 1; }

mkdir -p "$DATA/db" "$DATA/keys"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

log "building release"
cargo build --release -q -p iskra
bin="$CARGO_TARGET_DIR/release/iskra"
export ISKRA_ADMIN_PASSWORD="bench-password-not-secret"
# Identities are encrypted: the key file lives beside the database's directory, not in it.
export ISKRA_KEY_FILE="$DATA/keys/bench.key"
ADMIN=bench
SECRETARY=bench-sec
db="$DATA/db/iskra.db"
url="sqlite://$db"
res="$DATA/results-accounts.txt.new"

have_secretary() {
  [ -s "$db" ] && [ -s "$ISKRA_KEY_FILE" ] && [ -s "$DATA/db.stamp" ] &&
    [ "$(sqlite3 "$db" "select count(*) from accounts where login='$SECRETARY'" 2>/dev/null)" = 1 ]
}

{
  echo "machine_cpu=$(printf %q "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)")"
  echo "machine_nproc=$(nproc)"
  echo "machine_mem=$(free -h | awk '/^Mem:/ {print $2}')"
  echo "run_date=$(printf %q "$(date -u '+%Y-%m-%d %H:%M UTC')")"
  echo "run_load=$(printf %q "$(cut -d' ' -f1-3 /proc/loadavg)")"
  echo "run_command=$(printf %q "$command_line")"
  echo "run_commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo +uncommitted)"
  echo "runs=$RUNS people=$PEOPLE seed=$SEED logins=$LOGINS page_warmup=$PAGE_WARMUP page_runs=$PAGE_RUNS"
  echo "wrk_rounds=$WRK_ROUNDS wrk_seconds=$WRK_SECONDS wrk_threads=$WRK_THREADS wrk_connections=$WRK_CONNECTIONS"
  echo "wrk_version=$(printf %q "$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)")"
} >"$res"

# The database: organisation and units, administrator and secretary of r01-l01, the people,
# a year of activity. Built once and reused while it carries the secretary (REUSE=0: rebuild).
if [ "$REUSE" != 0 ] && have_secretary; then
  log "reusing $db ($(cat "$DATA/db.stamp"))"
  echo "db_built=$(printf %q "$(cat "$DATA/db.stamp")") db_reused=1" >>"$res"
else
  csv="$DATA/people-$PEOPLE-$SEED.csv"
  log "generating $PEOPLE people (seed $SEED) into $csv"
  "$bin" generate --people "$PEOPLE" --seed "$SEED" --csv "$csv"
  rm -f "$db" "$db"-wal "$db"-shm "$DATA/db.stamp"
  log "organisation, units, $ADMIN and $SECRETARY"
  "$bin" generate --people "$PEOPLE" --seed "$SEED" --csv /dev/null --with-units --admin "$ADMIN" \
    --secretary "$SECRETARY" --database "$url"
  log "importing the people"
  /usr/bin/time -f '%e' -o "$DATA/import.time" "$bin" import people "$csv" --database "$url" \
    >"$DATA/import.out"
  log "a year of dues and attendance"
  /usr/bin/time -f '%e' -o "$DATA/activity.time" "$bin" generate --people "$PEOPLE" --seed "$SEED" \
    --csv /dev/null --activity --database "$url"
  sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  rm -f "$csv"
  echo "$(date -u '+%Y-%m-%d %H:%M UTC') at commit $(git rev-parse --short HEAD): import $(cat "$DATA/import.time") s, activity $(cat "$DATA/activity.time") s" >"$DATA/db.stamp"
  echo "db_built=$(printf %q "$(cat "$DATA/db.stamp")") db_reused=0" >>"$res"
fi

# Serves the database DB, measures (logins if LOGINS_TOO=1), the unit page of r01-l01 and its
# throughput; every result key prefixed with P.
measure() { # db prefix logins-too
local db=$1 P=$2 logins_too=$3
local url="sqlite://$db" unit audit_before pid out rps bad r path cookie
unit=$(sqlite3 "$db" "select id from units where code='r01-l01'")
echo "${P}unit_id=$unit ${P}unit_people=$(sqlite3 "$db" "select count(*) from persons where unit_id = $unit")" \
  "${P}unit_members=$(sqlite3 "$db" "select count(*) from persons where unit_id = $unit and status = 'member'")" \
  "${P}db_persons=$(sqlite3 "$db" "select count(*) from persons")" \
  "${P}db_mb=$(du -m "$db" | cut -f1)" >>"$res"
audit_views() { sqlite3 "$db" "select count(*) from audit_log where action = 'identity.view'"; }
audit_before=$(audit_views)

log "starting the server on $db ($P)"
"$bin" serve --database "$url" --key-file "$ISKRA_KEY_FILE" --listen "127.0.0.1:$PORT" \
  --insecure-localhost >"$DATA/serve$P.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; then break; fi
  sleep 0.2
done
rss() { sed -n "s/^$1:\s*\([0-9]*\) kB/\1/p" "/proc/$pid/status"; }
echo "${P}rss_started_kb=$(rss VmRSS)" >>"$res"

# The HTTP client: logins, then the unit page. Prints key=value lines; the cookie goes to a file.
log "logins ($LOGINS of each kind) and the unit page ($PAGE_RUNS, $PAGE_WARMUP warm-up)"
python3 - "http://127.0.0.1:$PORT" "$unit" "$SECRETARY" "$ISKRA_ADMIN_PASSWORD" "$LOGINS" \
  "$PAGE_WARMUP" "$PAGE_RUNS" "$DATA/cookie" "$pid" "$logins_too" "$P" >>"$res" <<'PY'
import http.client, re, sys, time, urllib.parse
base, unit, login, password = sys.argv[1:5]
logins, warm, runs, cookie_file = int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7]), sys.argv[8]
server_pid, logins_too, P = sys.argv[9], sys.argv[10] == "1", sys.argv[11]
host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port

def q(xs, p):  # nearest-rank percentile
    xs = sorted(xs); return xs[max(0, -(-len(xs) * p // 100) - 1)]

def post_login(name, pw, source):
    """One login on a fresh connection from the given loopback address: (ms, status, cookie)."""
    body = urllib.parse.urlencode({"login": name, "password": pw})
    c = http.client.HTTPConnection(host, port, timeout=60, source_address=(source, 0))
    t = time.perf_counter()
    c.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded",
                                       "Origin": base, "Referer": base + "/login"})
    r = c.getresponse(); r.read()
    ms = (time.perf_counter() - t) * 1000
    c.close()
    cookie = None
    for k, v in r.getheaders():
        if k.lower() == "set-cookie" and v.startswith("iskra-demo="):
            cookie = v.split(";")[0]
    return ms, r.status, cookie

# Logins: right password, wrong password, unknown login, in turn. Each failure from its own
# source address (the per-client throttle), and the right password clears the account's record.
right, wrong, unknown = [], [], []
_, _, cookie = post_login(login, password, "127.0.0.1")  # warm-up: the first Argon2 allocation
for i in range(logins if logins_too else 0):
    ms, st, ck = post_login(login, password, "127.0.0.1")
    if st not in (302, 303) or not ck:
        sys.exit(f"right password: {st}")
    right.append(ms); cookie = ck
    ms, st, _ = post_login(login, password + "-wrong", f"127.0.1.{i + 1}")
    if st != 401:
        sys.exit(f"wrong password: {st} (429 means the throttle was reached)")
    wrong.append(ms)
    ms, st, _ = post_login(f"nobody-{i}", password, f"127.0.2.{i + 1}")
    if st != 401:
        sys.exit(f"unknown login: {st}")
    unknown.append(ms)
for name, xs in (("right", right), ("wrong", wrong), ("unknown", unknown)):
    if not logins_too:
        break
    print(f"login_{name}_p50={q(xs, 50):.1f} login_{name}_p95={q(xs, 95):.1f} "
          f"login_{name}_max={max(xs):.1f}")
open(cookie_file, "w").write(cookie + "\n")
rss = re.search(r"VmRSS:\s*(\d+) kB", open(f"/proc/{server_pid}/status").read()).group(1)
if logins_too:
    print(f"{P}rss_after_logins_kb={rss}")

# The unit page and /healthz, alternately, on one keep-alive connection.
c = http.client.HTTPConnection(host, port, timeout=60)
def get(path):
    t = time.perf_counter()
    c.request("GET", path, headers={"Cookie": cookie})
    r = c.getresponse(); b = r.read()
    ms = (time.perf_counter() - t) * 1000
    if r.status != 200:
        sys.exit(f"GET {path}: {r.status} {b[:300]!r}")
    return ms, b
page, health = [], []
body = b""
for i in range(warm + runs):
    ms, body = get(f"/units/{unit}")
    ms2, _ = get("/healthz")
    if i >= warm:
        page.append(ms); health.append(ms2)
html = body.decode()
# The roster: one row per person, each linking to /people/ID; identities in their own columns.
people = set(re.findall(r'href="/people/(\d+)"', html))
print(" ".join(P + kv for kv in (f"page_p50={q(page, 50):.2f} page_p95={q(page, 95):.2f} page_max={max(page):.2f} "
      f"health_p50={q(health, 50):.3f} health_p95={q(health, 95):.3f} page_bytes={len(body)} "
      f"page_people={len(people)} page_at_signs={html.count('@')} "
      f"page_has_identity_columns={int('Legal name' in html and 'Email' in html and 'Phone' in html)} "
      f"page_views={warm + runs}").split()))
PY
echo "${P}rss_after_page_kb=$(rss VmRSS)" >>"$res"

# Throughput: wrk on the unit page and on /healthz, alternately, the same settings.
cookie=$(cat "$DATA/cookie")
wrk_once() { # path
  wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WRK_SECONDS}s" --timeout 10s --latency \
    -H "Cookie: $cookie" "http://127.0.0.1:$PORT$1"
}
local page_rps=() health_rps=() page_wrk_p50=() page_wrk_p99=() page_read=() page_reqs=() page_errors=() errors=0
for r in $(seq 1 "$WRK_ROUNDS"); do
  for path in "/units/$unit" /healthz; do
    out=$(wrk_once "$path")
    rps=$(sed -n 's/^Requests\/sec:\s*\([0-9.]*\)/\1/p' <<<"$out")
    # Non-2xx answers (a lost session, an error page) would make the figure meaningless.
    bad=$(sed -n 's/^\s*Non-2xx or 3xx responses:\s*\([0-9]*\)/\1/p' <<<"$out")
    errors=$((errors + ${bad:-0}))
    if [ "$path" = /healthz ]; then
      health_rps+=("$rps")
    else
      page_rps+=("$rps")
      page_errors+=("${bad:-0}")
      page_reqs+=("$(sed -n 's/^\s*\([0-9]*\) requests in.*/\1/p' <<<"$out")")
      # What was read, to check that the answers were the page (a lost session is a redirect).
      page_read+=("$(sed -n 's/.* requests in .*, \([0-9.]*[KMG]*B\) read/\1/p' <<<"$out")")
      page_wrk_p50+=("$(awk '$1 == "50%" {print $2}' <<<"$out")")
      page_wrk_p99+=("$(awk '$1 == "99%" {print $2}' <<<"$out")")
    fi
    log "  wrk round $r $path: $rps req/s${bad:+ ($bad non-2xx)}"
  done
done
echo "${P}wrk_page_rps=$(IFS=,; echo "${page_rps[*]}") ${P}wrk_health_rps=$(IFS=,; echo "${health_rps[*]}")" \
  "${P}wrk_page_p50=$(IFS=,; echo "${page_wrk_p50[*]}") ${P}wrk_page_p99=$(IFS=,; echo "${page_wrk_p99[*]}")" \
  "${P}wrk_page_read=$(IFS=,; echo "${page_read[*]}") ${P}wrk_page_requests=$(IFS=,; echo "${page_reqs[*]}") ${P}wrk_errors=$errors ${P}wrk_page_errors=$(IFS=,; echo "${page_errors[*]}")" >>"$res"
echo "${P}rss_end_kb=$(rss VmRSS) ${P}rss_peak_kb=$(rss VmHWM)" >>"$res"
kill "$pid"; wait "$pid" 2>/dev/null || true
trap - EXIT

# Every view of the page is one audit-log entry.
echo "${P}audit_views_added=$(($(audit_views) - audit_before))" \
  "${P}server_errors=$(grep -c ERROR "$DATA/serve$P.log" || true)" >>"$res"
}


# The issue's figure is a page of 500 members with their identities, but r01-l01 holds only its
# own people (its circles hold the rest of its branch) and no party unit of the generated
# organisation holds 500 directly. So, a second time on a copy of the database in which the
# people of r01-l01's circles are moved into r01-l01 itself (the whole branch, ~500 members,
# on one roster). Identities are bound to the person, not the unit: they still open.
db500="$DATA/db-500/iskra.db"
if [ ! -s "$db500" ] || [ "$(cat "$DATA/db-500.stamp" 2>/dev/null)" != "$(cat "$DATA/db.stamp")" ]; then
  log "copying the database, r01-l01's circles' people moved into r01-l01"
  mkdir -p "$DATA/db-500"
  rm -f "$db500" "$db500"-wal "$db500"-shm
  cp "$db" "$db500"
  sqlite3 "$db500" "update persons set unit_id = (select id from units where code = 'r01-l01') \
    where unit_id in (select id from units where parent_id = (select id from units where code = 'r01-l01'))"
  cp "$DATA/db.stamp" "$DATA/db-500.stamp"
fi
# RUNS times each, the two alternately: each figure is the median of the runs.
for run in $(seq 1 "$RUNS"); do
  log "run $run of $RUNS"
  measure "$db" "r${run}_" 1
  measure "$db500" "r${run}_big_" 0
done
mv "$res" "$DATA/results-accounts.txt"

log "writing BENCHMARKS.md"
python3 bench/accounts_report.py "$DATA/results-accounts.txt" "${BENCHMARKS_MD:-$root/BENCHMARKS.md}"
