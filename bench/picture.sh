#!/usr/bin/env bash
# Issue 6, "the single picture over 1,000,000 reports: at most 1 s on SQLite", and issue 8's
# generator at full scale (its time and peak memory per stage). Heavy (a million people, a year
# of dues, the paper, a million reports): run on request, never in CI.
#
#   bash bench/picture.sh [all|sqlite|postgres]
#
# Per backend: builds the whole generated organisation with `iskra generate` stage by stage
# (people CSV, units and accounts, import, --activity, --paper, --reports, --congress; each
# stage's wall time and peak RSS by /usr/bin/time), then measures
#   - the store call `Store::single_picture` (crates/store/examples/picture.rs), median of RUNS,
#     next to its baseline: the database's own shell (sqlite3 / psql) running the same three
#     grouped queries, median of RUNS;
#   - the page `GET /editor/picture` signed in as the generated editor (`bench-editor`, an
#     editor at the central committee), median of RUNS, each next to `GET /healthz` (an empty
#     handler) on the same keep-alive connection.
# On PostgreSQL the year of dues and the congress are left out unless PG_FULL=1 (the picture
# reads only the reports; the full build takes several more minutes).
#
# Settings (environment): PEOPLE (1000000), REPORTS (1000000), SEED (1912),
# DATA (/work/bench-data-gen), PG_URL (postgres://postgres@127.0.0.1:5432/iskra_bench_gen;
# dropped and made again), PORT (18476), RUNS (9), REUSE (1: measure a database built before),
# CARGO_TARGET_DIR (/work/target-gen-rel). Results: $DATA/results-picture.txt.
set -euo pipefail

which_backends="${1:-all}"
case "$which_backends" in
  all | sqlite | postgres) ;;
  *) echo "usage: bash bench/picture.sh [all|sqlite|postgres]" >&2; exit 2 ;;
esac
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-gen-rel}"
PEOPLE="${PEOPLE:-1000000}"
REPORTS="${REPORTS:-1000000}"
SEED="${SEED:-1912}"
DATA="${DATA:-/work/bench-data-gen}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/iskra_bench_gen}"
PORT="${PORT:-18476}"
RUNS="${RUNS:-9}"
REUSE="${REUSE:-}"
PG_FULL="${PG_FULL:-}"
mkdir -p "$DATA/keys" "$DATA/db"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

log "building release"
cargo build --release -q -p iskra
cargo build --release -q -p store --example picture
bin="$CARGO_TARGET_DIR/release/iskra"
pic="$CARGO_TARGET_DIR/release/examples/picture"
export ISKRA_ADMIN_PASSWORD="bench-password-not-secret"
export ISKRA_KEY_FILE="$DATA/keys/bench.key"
res="$DATA/results-picture.txt"
{
  echo "machine_cpu=$(printf %q "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)") machine_nproc=$(nproc) machine_mem=$(free -h | awk '/^Mem:/ {print $2}')"
  echo "run_date=$(printf %q "$(date -u '+%Y-%m-%d %H:%M UTC')") run_load=$(printf %q "$(cut -d' ' -f1-3 /proc/loadavg)")"
  echo "run_command=$(printf %q "bash bench/picture.sh ${1:-}") run_commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo +uncommitted)"
  echo "people=$PEOPLE reports=$REPORTS seed=$SEED runs=$RUNS"
} >>"$res"

# Runs a stage under /usr/bin/time and records its wall time and peak RSS.
stage() { # backend name command...
  local backend=$1 name=$2
  shift 2
  log "$backend: $name"
  /usr/bin/time -f '%e %M' -o "$DATA/time.txt" "$@" >"$DATA/stage.log" 2>&1 ||
    { cat "$DATA/stage.log" >&2; exit 1; }
  read -r secs kb <"$DATA/time.txt"
  echo "${backend}_stage_${name}_s=$secs ${backend}_stage_${name}_peak_mb=$((kb / 1024))" >>"$res"
  grep -v '^\s*$' "$DATA/stage.log" | tail -2 | sed "s/^/# $backend $name: /" >>"$res"
}

build() { # backend url
  local backend=$1 url=$2 csv="$DATA/people.csv"
  stage "$backend" csv "$bin" generate --people "$PEOPLE" --seed "$SEED" --csv "$csv"
  stage "$backend" units "$bin" generate --people "$PEOPLE" --seed "$SEED" --csv /dev/null \
    --with-units --admin bench --editor bench-editor --database "$url"
  stage "$backend" import "$bin" import people "$csv" --database "$url"
  rm -f "$csv"
  local g=("$bin" generate --people "$PEOPLE" --seed "$SEED" --csv /dev/null --database "$url")
  if [ "$backend" = sqlite ] || [ "$PG_FULL" = 1 ]; then
    stage "$backend" activity "${g[@]}" --activity
  fi
  stage "$backend" paper "${g[@]}" --paper
  stage "$backend" reports "${g[@]}" --reports "$REPORTS"
  if [ "$backend" = sqlite ] || [ "$PG_FULL" = 1 ]; then
    stage "$backend" congress "${g[@]}" --congress
  fi
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

QUERIES="SELECT category, COUNT(*) FROM reports WHERE counted = 1 GROUP BY category;
SELECT month, COUNT(*) FROM reports WHERE counted = 1 GROUP BY month;
SELECT unit_id, COUNT(*) FROM reports WHERE counted = 1 GROUP BY unit_id;"

measure() { # backend url shell-command...
  local backend=$1 url=$2
  shift 2
  local counts total
  counts=""
  for t in persons units dues_payments attendance publications editions bundles bundle_returns reports congress_participants; do
    counts="$counts ${backend}_rows_$t=$("$@" "select count(*) from $t")"
  done
  echo "$counts" >>"$res"
  log "$backend: the store call"
  "$pic" "$url" "$RUNS" >"$DATA/picture.out"
  total=$(sed -n 's/^total=\([0-9]*\).*/\1/p' "$DATA/picture.out")
  echo "${backend}_picture_total=$total ${backend}_store_ms=$(sed -n 's/^ms=//p' "$DATA/picture.out" | median) ${backend}_store_runs=$(sed -n 's/^ms=//p' "$DATA/picture.out" | paste -sd,)" >>"$res"
  log "$backend: the shell's own run of the same queries"
  local runs=()
  "$@" "$QUERIES" >/dev/null
  for _ in $(seq 1 "$RUNS"); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" "$QUERIES" >/dev/null
    t1=$(date +%s.%N)
    runs+=("$(echo "($t1 - $t0) * 1000" | bc -l)")
  done
  echo "${backend}_shell_ms=$(printf '%s\n' "${runs[@]}" | median) ${backend}_shell_runs=$(printf '%.1f,' "${runs[@]}")" >>"$res"

  log "$backend: the page"
  "$bin" serve --database "$url" --listen "127.0.0.1:$PORT" --insecure-localhost >"$DATA/serve-$backend.log" 2>&1 &
  local pid=$!
  trap 'kill "$pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 300); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null && break
    sleep 0.2
  done
  python3 - "127.0.0.1" "$PORT" "$ISKRA_ADMIN_PASSWORD" "$RUNS" "$backend" "$total" >>"$res" <<'PY'
import http.client, re, sys, time, urllib.parse
host, port, password, runs, backend, total = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6]
c = http.client.HTTPConnection(host, port, timeout=120)
body = urllib.parse.urlencode({"login": "bench-editor", "password": password})
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
page, health = [], []
get("/editor/picture")  # warm-up, not counted
for _ in range(runs):
    ms, html = get("/editor/picture")
    if f"{total} reports" not in html:
        sys.exit(f"the page does not show the {total} reports counted")
    page.append(ms)
    health.append(get("/healthz")[0])
med = lambda xs: sorted(xs)[len(xs) // 2]
print(f"{backend}_page_ms={med(page):.1f} {backend}_page_runs={','.join(f'{x:.0f}' for x in page)} "
      f"{backend}_health_ms={med(health):.2f} {backend}_page_bytes={len(html)}")
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
}

if [ "$which_backends" != postgres ]; then
  db="$DATA/db/iskra.db"
  if [ "$REUSE" != 1 ] || [ ! -s "$db" ]; then
    rm -f "$db" "$db"-wal "$db"-shm
    build sqlite "sqlite://$db"
    sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
  fi
  echo "sqlite_db_mb=$(($(stat -c %s "$db") / 1048576))" >>"$res"
  measure sqlite "sqlite://$db" sqlite3 "$db"
fi

if [ "$which_backends" != sqlite ]; then
  pg_db="${PG_URL##*/}"
  read -r pg_host pg_port pg_user < <(python3 -c "import urllib.parse,sys; u=urllib.parse.urlsplit(sys.argv[1]); print(u.hostname, u.port or 5432, u.username or 'postgres')" "$PG_URL")
  psqlc() { psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -Atq -c "$1" "$pg_db"; }
  if [ "$REUSE" != 1 ] || ! psqlc "select 1 from reports limit 1" >/dev/null 2>&1; then
    dropdb -h "$pg_host" -p "$pg_port" -U "$pg_user" --if-exists "$pg_db"
    createdb -h "$pg_host" -p "$pg_port" -U "$pg_user" "$pg_db"
    build postgres "$PG_URL"
  fi
  echo "pg_version=$(printf %q "$(psqlc 'show server_version')")" >>"$res"
  measure postgres "$PG_URL" psqlc
fi

log "results in $res"
cat "$res"
# Machine-readable summary for bench/all.sh: figure|goal|median|baseline|ratio|met.
python3 - "$res" <<'PY'
import sys
kv = {}
for line in open(sys.argv[1]):
    for tok in line.split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            kv[k] = v
met = lambda ok: "yes" if ok else "no"
for b, name in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
    if f"{b}_store_ms" not in kv:
        continue
    n = int(kv.get(f"{b}_rows_reports", "0"))
    store, shell = float(kv[f"{b}_store_ms"]), float(kv[f"{b}_shell_ms"])
    print(f"RESULT|single picture over {n:,} reports, the store ({name})|≤ 1 s|{store:.0f} ms|database shell, same queries {shell:.0f} ms|{store / shell:.2f}×|{met(store <= 1000)}")
    if f"{b}_page_ms" in kv:
        page, health = float(kv[f"{b}_page_ms"]), float(kv[f"{b}_health_ms"])
        print(f"RESULT|single picture over {n:,} reports, the editor's page ({name})|≤ 1 s|{page:.0f} ms|GET /healthz {health:.2f} ms||{met(page <= 1000)}")
PY
