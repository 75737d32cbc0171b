#!/usr/bin/env bash
# The foundation's three benchmark figures (issue 2): import, evaluation, unit page.
# Heavy (a million people, several GB of disk, tens of minutes): run on request, never in CI.
#
#   bash bench/foundation.sh              # SQLite and PostgreSQL
#   bash bench/foundation.sh sqlite       # only SQLite
#   bash bench/foundation.sh postgres     # only PostgreSQL
#
#   REUSE=1 bash bench/foundation.sh sqlite   # evaluation and unit page again, on the database
#                                             # an earlier run left in $DATA; its import figures kept
#
# Settings (environment): PEOPLE (1000000), SEED (1912), ROUNDS (3 import rounds),
# EVAL_RUNS (5), PAGE_WARMUP (20), PAGE_RUNS (300), DATA (/work/bench-data: generated files,
# outside the repository), PG_URL (postgres://postgres@127.0.0.1:5432/iskra_bench; the database
# is dropped and created again), CARGO_TARGET_DIR (/work/target-bench).
#
# Baselines run side by side in the same run and the figure is their ratio; every figure is a
# median. Each backend's results are kept in $DATA/results-<backend>.txt, and the section
# "## Foundation (issue 2)" of BENCHMARKS.md is rewritten from whichever of them exist (with the
# command and date of the run that produced each).
#
# Needs: sqlite3 (the baseline), python3 (the HTTP client and the report), psql/createdb/dropdb
# for PostgreSQL, and GNU time at /usr/bin/time for wall time and peak memory. If it is missing:
#   apt-get install -y time
set -euo pipefail

which_backends="${1:-all}"
case "$which_backends" in
  all | sqlite | postgres) ;;
  *) echo "usage: bash bench/foundation.sh [all|sqlite|postgres]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-bench}"
PEOPLE="${PEOPLE:-1000000}"
SEED="${SEED:-1912}"
ROUNDS="${ROUNDS:-3}"
EVAL_RUNS="${EVAL_RUNS:-5}"
PAGE_WARMUP="${PAGE_WARMUP:-20}"
PAGE_RUNS="${PAGE_RUNS:-300}"
DATA="${DATA:-/work/bench-data}"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432/iskra_bench}"
PORT="${PORT:-18473}"
REUSE="${REUSE:-}"
command_line="${REUSE:+REUSE=1 }bash bench/foundation.sh${1:+ $1}"

if [ ! -x /usr/bin/time ]; then
  echo "GNU time is missing: apt-get install -y time" >&2
  exit 1
fi
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing (the import baseline)" >&2; exit 1; }

mkdir -p "$DATA"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

log "building release"
cargo build --release -q -p iskra
bin="$CARGO_TARGET_DIR/release/iskra"
export ISKRA_ADMIN_PASSWORD="bench-password-not-secret"
# Identities are encrypted: one key file for every database the benchmark makes, outside the
# directory holding them (`generate --with-units` creates it the first time).
mkdir -p "$DATA/keys"
export ISKRA_KEY_FILE="$DATA/keys/bench.key"
ADMIN=bench
# The unit page is measured as the unit's secretary: the administrator sees figures, not names.
SECRETARY=bench-sec

# The people CSV, generated once per (people, seed, day): the generator dates people from today.
csv="$DATA/people-$PEOPLE-$SEED.csv"
stamp="$PEOPLE $SEED $(date -u +%F)"
if [ ! -s "$csv" ] || [ "$(cat "$csv.stamp" 2>/dev/null)" != "$stamp" ]; then
  log "generating $PEOPLE people (seed $SEED) into $csv"
  "$bin" generate --people "$PEOPLE" --seed "$SEED" --csv "$csv"
  echo "$stamp" >"$csv.stamp"
fi
csv_rows=$(($(wc -l <"$csv") - 1))
csv_mb=$(du -m "$csv" | cut -f1)

# The HTTP client for the unit page: one keep-alive connection, the unit page and the stylesheet
# (a handler that touches no database) requested alternately, raw latencies in milliseconds.
page_client() { # url-base unit-id out-prefix
  python3 - "$@" <<'PY'
import http.client, sys, time, urllib.parse, statistics
base, unit, out = sys.argv[1], sys.argv[2], sys.argv[3]
warm, runs = int(sys.argv[4]), int(sys.argv[5])
host, port = urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port
c = http.client.HTTPConnection(host, port, timeout=60)
body = urllib.parse.urlencode({"login": "bench-sec", "password": "bench-password-not-secret"})
c.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded",
                                   "Origin": base, "Referer": base + "/login"})
r = c.getresponse(); r.read()
cookie = None
for k, v in r.getheaders():
    if k.lower() == "set-cookie" and v.startswith("iskra-demo="):
        cookie = v.split(";")[0]
if r.status not in (302, 303) or not cookie:
    sys.exit(f"login failed: {r.status}")
def get(path):
    t = time.perf_counter()
    c.request("GET", path, headers={"Cookie": cookie})
    r = c.getresponse(); b = r.read()
    ms = (time.perf_counter() - t) * 1000
    if r.status != 200:
        sys.exit(f"GET {path}: {r.status} {b[:300]!r}")
    return ms, b
pages, css = [], []
for i in range(warm + runs):
    ms, b = get(f"/units/{unit}")
    size = len(b)
    ms2, _ = get("/static/iskra.css")
    if i >= warm:
        pages.append(ms); css.append(ms2)
def q(xs, p):
    xs = sorted(xs); return xs[max(0, -(-len(xs) * p // 100) - 1)]
open(out + "-page.ms", "w").write("\n".join(f"{x:.3f}" for x in pages) + "\n")
open(out + "-css.ms", "w").write("\n".join(f"{x:.3f}" for x in css) + "\n")
rows = b.count(b'href="/people/')
print(f"page_p50={q(pages,50):.2f} page_p95={q(pages,95):.2f} page_max={max(pages):.2f} "
      f"css_p50={q(css,50):.3f} css_p95={q(css,95):.3f} page_bytes={size} page_people_links={rows}")
PY
}

# Starts `iskra serve`, measures the unit page of r01-l01, stops the server.
measure_page() { # backend url unit-id
  local backend=$1 url=$2 unit=$3
  "$bin" serve --database "$url" --listen "127.0.0.1:$PORT" --insecure-localhost \
    >"$DATA/serve-$backend.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    if python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; then break; fi
    sleep 0.2
  done
  local out status=0
  out=$(page_client "http://127.0.0.1:$PORT" "$unit" "$DATA/$backend" "$PAGE_WARMUP" "$PAGE_RUNS") || status=$?
  kill "$pid"; wait "$pid" 2>/dev/null || true
  [ "$status" = 0 ] || { echo "page benchmark failed on $backend" >&2; exit 1; }
  echo "$out"
}

# Runs `iskra evaluate` EVAL_RUNS times: the "evaluated in" figure and the whole process.
measure_eval() { # url
  local url=$1 inner=() outer=() counts=""
  for i in $(seq 1 "$EVAL_RUNS"); do
    /usr/bin/time -f '%e %M' -o "$DATA/eval.time" "$bin" evaluate --database "$url" \
      >"$DATA/eval.out" 2>"$DATA/eval.err"
    inner+=("$(sed -n 's/^evaluated in \([0-9.]*\) s$/\1/p' "$DATA/eval.err")")
    outer+=("$(cut -d' ' -f1 "$DATA/eval.time")")
    counts=$(cat "$DATA/eval.out")
    log "  evaluate $i: ${inner[-1]} s (process ${outer[-1]} s)"
  done
  echo "eval_median=$(median "${inner[@]}") eval_all=$(IFS=,; echo "${inner[*]}")" \
    "eval_process_median=$(median "${outer[@]}")"
  echo "eval_counts=$(printf %q "$counts")"
}

machine() {
  echo "machine_cpu=$(printf %q "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)")"
  echo "machine_nproc=$(nproc)"
  echo "machine_mem=$(free -h | awk '/^Mem:/ {print $2}')"
  echo "run_date=$(printf %q "$(date -u '+%Y-%m-%d %H:%M UTC')")"
  echo "run_load=$(printf %q "$(cut -d' ' -f1-3 /proc/loadavg)")"
  echo "run_command=$(printf %q "$command_line")"
  echo "run_commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates || echo +uncommitted)"
  echo "people=$PEOPLE seed=$SEED csv_rows=$csv_rows csv_mb=$csv_mb page_warmup=$PAGE_WARMUP page_runs=$PAGE_RUNS"
}

# With REUSE=1: keeps the import and activity figures of the earlier run that built the database.
keep_earlier() { # backend results-file
  local old="$DATA/results-$1.txt"
  [ -s "$old" ] || { echo "REUSE=1 needs an earlier full run of $1 in $DATA" >&2; exit 1; }
  if ! grep -q '^reused_from=' "$old"; then
    local when by
    when=$(sed -n 's/^run_date=//p' "$old" | tr -d '\\')
    by=$(sed -n 's/^run_command=//p' "$old" | tr -d '\\')
    echo "reused_from=$(printf %q "$when at commit $(sed -n 's/^run_commit=//p' "$old") by $by")" >>"$2"
  fi
  grep -E '^(reused_from|import_|baseline_|activity_|pg_version)' "$old" >>"$2"
}

run_sqlite() {
  local res="$DATA/results-sqlite.txt.new" template="$DATA/units-template.db"
  machine >"$res"
  local db="$DATA/iskra.db"
  if [ -n "$REUSE" ]; then
    keep_earlier sqlite "$res"
  else
  log "SQLite: organisation and units (template database)"
  rm -f "$template" "$template"-wal "$template"-shm
  "$bin" generate --people "$PEOPLE" --seed "$SEED" --csv /dev/null --with-units --admin "$ADMIN" --secretary "$SECRETARY" \
    --database "sqlite://$template" 2>/dev/null
  sqlite3 "$template" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null

  local base="$DATA/baseline.db"
  local it=() im=() bt=() bm=()
  for r in $(seq 1 "$ROUNDS"); do
    # iskra: a fresh database holding the organisation and its units, then the import.
    rm -f "$db" "$db"-wal "$db"-shm
    cp "$template" "$db"
    sync
    /usr/bin/time -f '%e %M' -o "$DATA/import.time" "$bin" import people "$csv" \
      --database "sqlite://$db" >"$DATA/import.out"
    it+=("$(cut -d' ' -f1 "$DATA/import.time")"); im+=("$(cut -d' ' -f2 "$DATA/import.time")")
    # Baseline: sqlite3's own .import of the same file into a plain table, fresh file.
    rm -f "$base"
    sync
    /usr/bin/time -f '%e %M' -o "$DATA/baseline.time" sqlite3 "$base" ".import --csv $csv people"
    bt+=("$(cut -d' ' -f1 "$DATA/baseline.time")"); bm+=("$(cut -d' ' -f2 "$DATA/baseline.time")")
    log "  import round $r: iskra ${it[-1]} s, ${im[-1]} KB; sqlite3 .import ${bt[-1]} s, ${bm[-1]} KB"
  done
  rm -f "$base"
  local imed bmed
  imed=$(median "${it[@]}"); bmed=$(median "${bt[@]}")
  {
    echo "import_output=$(printf %q "$(cat "$DATA/import.out")")"
    echo "import_median=$imed import_all=$(IFS=,; echo "${it[*]}")"
    echo "import_rss_median_kb=$(median "${im[@]}") import_rss_max_kb=$(printf '%s\n' "${im[@]}" | sort -n | tail -1)"
    echo "baseline_median=$bmed baseline_all=$(IFS=,; echo "${bt[*]}") baseline_rss_median_kb=$(median "${bm[@]}")"
    echo "import_ratio=$(python3 -c "print(round($imed / $bmed, 2))")"
  } >>"$res"

  log "SQLite: a year of dues and attendance"
  /usr/bin/time -f '%e' -o "$DATA/activity.time" "$bin" generate --people "$PEOPLE" --seed "$SEED" \
    --csv /dev/null --activity --database "sqlite://$db" 2>/dev/null
  echo "activity_seconds=$(cat "$DATA/activity.time")" >>"$res"
  fi

  log "SQLite: evaluation x$EVAL_RUNS"
  measure_eval "sqlite://$db" >>"$res"

  log "SQLite: unit page"
  local unit
  unit=$(sqlite3 "$db" "select id from units where code='r01-l01'")
  echo "unit_id=$unit unit_branch_members=$(sqlite3 "$db" "select count(*) from unit_tree t join persons p on p.unit_id = t.unit_id where t.ancestor_id = $unit and p.status = 'member'")" >>"$res"
  measure_page sqlite "sqlite://$db" "$unit" >>"$res"
  mv "$res" "$DATA/results-sqlite.txt"
}

run_postgres() {
  local res="$DATA/results-postgres.txt.new"
  local pg_db="${PG_URL##*/}" pg_host pg_user
  pg_host=$(python3 -c "import urllib.parse,sys; u=urllib.parse.urlsplit(sys.argv[1]); print(u.hostname, u.port or 5432, u.username or 'postgres')" "$PG_URL")
  read -r pg_host pg_port pg_user <<<"$pg_host"
  machine >"$res"
  if [ -n "$REUSE" ]; then
    keep_earlier postgres "$res"
  else
  echo "pg_version=$(printf %q "$(psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -Atc 'show server_version' postgres)")" >>"$res"
  log "PostgreSQL: fresh database $pg_db, organisation and units"
  dropdb -h "$pg_host" -p "$pg_port" -U "$pg_user" --if-exists "$pg_db"
  createdb -h "$pg_host" -p "$pg_port" -U "$pg_user" "$pg_db"
  "$bin" generate --people "$PEOPLE" --seed "$SEED" --csv /dev/null --with-units --admin "$ADMIN" --secretary "$SECRETARY" \
    --database "$PG_URL" 2>/dev/null
  log "PostgreSQL: import (once, for information)"
  /usr/bin/time -f '%e %M' -o "$DATA/import.time" "$bin" import people "$csv" --database "$PG_URL" >/dev/null
  echo "import_once=$(cut -d' ' -f1 "$DATA/import.time") import_rss_kb=$(cut -d' ' -f2 "$DATA/import.time")" >>"$res"
  log "PostgreSQL: a year of dues and attendance"
  /usr/bin/time -f '%e' -o "$DATA/activity.time" "$bin" generate --people "$PEOPLE" --seed "$SEED" \
    --csv /dev/null --activity --database "$PG_URL" 2>/dev/null
  echo "activity_seconds=$(cat "$DATA/activity.time")" >>"$res"
  fi
  log "PostgreSQL: evaluation x$EVAL_RUNS"
  measure_eval "$PG_URL" >>"$res"
  log "PostgreSQL: unit page"
  local unit
  unit=$(psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -Atc "select id from units where code='r01-l01'" "$pg_db")
  echo "unit_id=$unit" >>"$res"
  measure_page postgres "$PG_URL" "$unit" >>"$res"
  mv "$res" "$DATA/results-postgres.txt"
}

[ "$which_backends" = postgres ] || run_sqlite
[ "$which_backends" = sqlite ] || run_postgres

log "writing BENCHMARKS.md"
python3 bench/foundation_report.py "$DATA" "${BENCHMARKS_MD:-$root/BENCHMARKS.md}"
