#!/usr/bin/env bash
# Issue 8, "queries scoped to a branch": a regional officer searching their ~25,000 people in a
# 1,000,000-person organisation, through the web page (`GET /units/{r01}/search?q=...`, access
# rules and all), p95 on SQLite and on PostgreSQL, each next to an empty handler (`/healthz`)
# requested alternately on the same connection. Heavy (a million people per backend, a few
# minutes each to build): run on request, never in CI.
#
#   bash bench/search.sh [all|sqlite|postgres]
#
# Settings (environment): PEOPLE (1000000), SEED (1912), DATA (/work/bench-data-search),
# PG_URL (postgres://postgres@127.0.0.1:5432/iskra_bench_search; dropped and made again),
# PORT (18475), WARMUP (30), RUNS (400 searches), PREFIXES (40 prefixes, cycled),
# REUSE (1: reuse a database built before), CARGO_TARGET_DIR (/work/target-bench).
#
# The officer: the account bench-sec, given the office of secretary of the regional committee
# r01 (the generator's ~25,000-person region), under statutes that let a secretary's office
# reach the units below (`access.reach_down = ["secretary"]`). The prefixes: the first two or
# three letters of party names drawn from the region, so every search finds people (up to the
# page's 50) among the region's 25,000 and has the other 975,000 to ignore.
# Results go to $DATA/results-search.txt and the section "## Branch search (issue 8)" of
# BENCHMARKS.md.
set -euo pipefail

which_backends="${1:-all}"
case "$which_backends" in
  all | sqlite | postgres) ;;
  *) echo "usage: bash bench/search.sh [all|sqlite|postgres]" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-bench}"
PEOPLE="${PEOPLE:-1000000}"
SEED="${SEED:-1912}"
DATA="${DATA:-/work/bench-data-search}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/iskra_bench_search}"
PORT="${PORT:-18475}"
WARMUP="${WARMUP:-30}"
RUNS="${RUNS:-400}"
PREFIXES="${PREFIXES:-40}"
REUSE="${REUSE:-}"
command_line="${REUSE:+REUSE=$REUSE }bash bench/search.sh${1:+ $1}"

command -v sqlite3 >/dev/null || { echo "sqlite3 is missing" >&2; exit 1; }
mkdir -p "$DATA/keys" "$DATA/db"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

log "building release"
cargo build --release -q -p iskra
bin="$CARGO_TARGET_DIR/release/iskra"
export ISKRA_ADMIN_PASSWORD="bench-password-not-secret"
export ISKRA_KEY_FILE="$DATA/keys/bench.key"
res="$DATA/results-search.txt"
# Running one backend keeps the other's figures from the run before (they are dated there).
kept=""
if [ "$which_backends" != all ] && [ -s "$res" ]; then
  other=$([ "$which_backends" = sqlite ] && echo "postgres_|pg_" || echo "sqlite_")
  kept=$(grep -E "^($other)" "$res" | sed "s/\$/ kept_from=$(printf %q "$(sed -n 's/^run_date=//p' "$res")")/" || true)
fi
{
  echo "machine_cpu=$(printf %q "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)")"
  echo "machine_nproc=$(nproc)"
  echo "machine_mem=$(free -h | awk '/^Mem:/ {print $2}')"
  echo "run_date=$(printf %q "$(date -u '+%Y-%m-%d %H:%M UTC')")"
  echo "run_load=$(printf %q "$(cut -d' ' -f1-3 /proc/loadavg)")"
  echo "run_command=$(printf %q "$command_line")"
  echo "run_commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo +uncommitted)"
  echo "people=$PEOPLE seed=$SEED warmup=$WARMUP runs=$RUNS prefixes=$PREFIXES"
  [ -z "$kept" ] || echo "$kept"
} >"$res"

csv="$DATA/people-$PEOPLE-$SEED.csv"
need_csv() {
  if [ ! -s "$csv" ]; then
    log "generating $PEOPLE people (seed $SEED)"
    "$bin" generate --people "$PEOPLE" --seed "$SEED" --csv "$csv"
  fi
}

# Organisation, units, admin and bench-sec; the people; bench-sec made secretary of r01; the
# statutes opened downwards for secretaries.
build() { # url
  local url=$1
  "$bin" generate --people "$PEOPLE" --seed "$SEED" --csv /dev/null --with-units --admin bench \
    --secretary bench-sec --database "$url" >/dev/null
  log "importing the people"
  "$bin" import people "$csv" --database "$url" >/dev/null
  "$bin" roles grant bench-sec secretary r01 --database "$url" >/dev/null
  "$bin" statutes show --database "$url" |
    python3 -c 'import json,sys; s=json.load(sys.stdin); s.setdefault("access", {})["reach_down"]=["secretary"]; print(json.dumps(s))' \
      >"$DATA/statutes.json"
  "$bin" statutes adopt "$DATA/statutes.json" --by "Benchmark congress" \
    --adopted-on "$(date -u +%F)" --database "$url" >/dev/null
}

measure() { # backend url sql-command...
  local backend=$1 url=$2
  shift 2
  local region prefixes pid
  region=$("$@" "select id from units where code = 'r01'")
  echo "${backend}_region_people=$("$@" "select count(*) from unit_tree t join persons p on p.unit_id = t.unit_id where t.ancestor_id = $region")" \
    "${backend}_people=$("$@" "select count(*) from persons")" >>"$res"
  # Prefixes from the region's own people, spread over the alphabet.
  prefixes=$("$@" "select substr(p.pseudonym, 1, CAST(2 + p.id % 2 AS INTEGER)) from unit_tree t join persons p on p.unit_id = t.unit_id where t.ancestor_id = $region order by p.id % 997, p.id limit $PREFIXES" | tr '\n' ' ')
  log "serving $backend"
  "$bin" serve --database "$url" --listen "127.0.0.1:$PORT" --insecure-localhost >"$DATA/serve-$backend.log" 2>&1 &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 300); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
    sleep 0.2
  done
  python3 - "127.0.0.1" "$PORT" "$region" "$ISKRA_ADMIN_PASSWORD" "$WARMUP" "$RUNS" "$backend" "$pid" $prefixes >>"$res" <<'PY'
import http.client, re, sys, time, urllib.parse
host, port, region, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
warm, runs, backend, pid = int(sys.argv[5]), int(sys.argv[6]), sys.argv[7], sys.argv[8]
prefixes = sys.argv[9:]
def q(xs, p):  # nearest-rank percentile
    xs = sorted(xs); return xs[max(0, -(-len(xs) * p // 100) - 1)]
c = http.client.HTTPConnection(host, port, timeout=60)
body = urllib.parse.urlencode({"login": "bench-sec", "password": password})
c.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded",
                                   "Origin": f"http://{host}:{port}"})
r = c.getresponse(); r.read()
cookie = next(v.split(";")[0] for k, v in r.getheaders() if k.lower() == "set-cookie")
def get(path):
    t = time.perf_counter()
    c.request("GET", path, headers={"Cookie": cookie})
    r = c.getresponse(); b = r.read()
    ms = (time.perf_counter() - t) * 1000
    if r.status != 200:
        sys.exit(f"GET {path}: {r.status} {b[:300]!r}")
    return ms, b.decode()
search, health, found, units = [], [], [], set()
for i in range(warm + runs):
    p = prefixes[i % len(prefixes)]
    ms, html = get(f"/units/{region}/search?" + urllib.parse.urlencode({"q": p}))
    ms2, _ = get("/healthz")
    hits = re.findall(r'href="/people/(\d+)"', html)
    if not hits:
        sys.exit(f"the search for {p!r} found nobody: not a fair measurement")
    units.update(re.findall(r'<td><a href="/units/(\d+)"', html))
    if i >= warm:
        search.append(ms); health.append(ms2); found.append(len(hits))
rss = re.search(r"VmRSS:\s*(\d+) kB", open(f"/proc/{pid}/status").read()).group(1)
print(f"{backend}_search_p50={q(search, 50):.2f} {backend}_search_p95={q(search, 95):.2f} "
      f"{backend}_search_max={max(search):.2f} {backend}_health_p50={q(health, 50):.3f} "
      f"{backend}_health_p95={q(health, 95):.3f} {backend}_found_median={sorted(found)[len(found)//2]} "
      f"{backend}_units_in_results={len(units)} {backend}_rss_kb={rss}")
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
}

if [ "$which_backends" != postgres ]; then
  db="$DATA/db/iskra.db"
  if [ "$REUSE" != 1 ] || [ ! -s "$db" ]; then
    need_csv
    rm -f "$db" "$db"-wal "$db"-shm
    log "building the SQLite database"
    build "sqlite://$db"
    sqlite3 "$db" 'ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  fi
  measure sqlite "sqlite://$db" sqlite3 "$db"
fi

if [ "$which_backends" != sqlite ]; then
  pg_db="${PG_URL##*/}"
  read -r pg_host pg_port pg_user < <(python3 -c "import urllib.parse,sys; u=urllib.parse.urlsplit(sys.argv[1]); print(u.hostname, u.port or 5432, u.username or 'postgres')" "$PG_URL")
  psqlc() { psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -Atc "$1" "$pg_db"; }
  if [ "$REUSE" != 1 ] || ! psqlc "select 1 from units limit 1" >/dev/null 2>&1; then
    need_csv
    dropdb -h "$pg_host" -p "$pg_port" -U "$pg_user" --if-exists "$pg_db"
    createdb -h "$pg_host" -p "$pg_port" -U "$pg_user" "$pg_db"
    log "building the PostgreSQL database"
    build "$PG_URL"
    psqlc "ANALYZE" >/dev/null
  fi
  echo "pg_version=$(printf %q "$(psqlc 'show server_version')")" >>"$res"
  measure postgres "$PG_URL" psqlc
fi

log "results in $res"
python3 bench/search_report.py "$res" "${BENCHMARKS_MD:-$root/BENCHMARKS.md}"
