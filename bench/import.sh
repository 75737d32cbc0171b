#!/usr/bin/env bash
# The import figure of issue 2 on its own: `iskra import people` of a generated million people
# into SQLite, beside `sqlite3`'s own `.import` of the same file into a plain table, in alternate
# rounds; the figure is the ratio of the medians. Faster than bench/foundation.sh (no activity,
# evaluation or page), for work on the import itself. Heavy: run on request, never in CI.
#
#   bash bench/import.sh                         # the binary built from this checkout
#   bash bench/import.sh /path/to/older/iskra    # and an older binary in the same rounds
#
# Settings (environment): PEOPLE (1000000), SEED (1912), ROUNDS (3), DATA (/work/bench-data),
# CARGO_TARGET_DIR (/work/target-bench). Needs sqlite3, python3 and GNU time (/usr/bin/time).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-bench}"
PEOPLE="${PEOPLE:-1000000}"
SEED="${SEED:-1912}"
ROUNDS="${ROUNDS:-3}"
DATA="${DATA:-/work/bench-data}"
[ -x /usr/bin/time ] || { echo "GNU time is missing: apt-get install -y time" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing (the baseline)" >&2; exit 1; }

log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }
median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

log "building release"
cargo build --release -q -p iskra
bins=("$CARGO_TARGET_DIR/release/iskra" "$@")
mkdir -p "$DATA/keys"
export ISKRA_ADMIN_PASSWORD="bench-password-not-secret"
export ISKRA_KEY_FILE="$DATA/keys/bench.key"

csv="$DATA/people-$PEOPLE-$SEED.csv"
stamp="$PEOPLE $SEED $(date -u +%F)"
if [ ! -s "$csv" ] || [ "$(cat "$csv.stamp" 2>/dev/null)" != "$stamp" ]; then
  log "generating $PEOPLE people (seed $SEED) into $csv"
  "${bins[0]}" generate --people "$PEOPLE" --seed "$SEED" --csv "$csv"
  echo "$stamp" >"$csv.stamp"
fi
template="$DATA/import-template.db"
rm -f "$template" "$template"-wal "$template"-shm
"${bins[0]}" generate --people "$PEOPLE" --seed "$SEED" --csv /dev/null --with-units --admin bench \
  --database "sqlite://$template" 2>/dev/null
sqlite3 "$template" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null

db="$DATA/import.db"
base="$DATA/import-baseline.db"
declare -A times rss
log "start: load $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for r in $(seq 1 "$ROUNDS"); do
  for i in "${!bins[@]}"; do
    rm -f "$db" "$db"-wal "$db"-shm "$db"-journal
    cp "$template" "$db"
    sync
    /usr/bin/time -f '%e %M' -o "$DATA/import.time" "${bins[$i]}" import people "$csv" \
      --database "sqlite://$db" >"$DATA/import.out"
    times[$i]+=" $(cut -d' ' -f1 "$DATA/import.time")"
    rss[$i]+=" $(cut -d' ' -f2 "$DATA/import.time")"
    log "  round $r: ${bins[$i]}: $(cut -d' ' -f1 "$DATA/import.time") s, $(cut -d' ' -f2 "$DATA/import.time") KB; $(cat "$DATA/import.out")"
  done
  rm -f "$base"
  sync
  /usr/bin/time -f '%e' -o "$DATA/baseline.time" sqlite3 "$base" ".import --csv $csv people"
  times[b]+=" $(cat "$DATA/baseline.time")"
  log "  round $r: sqlite3 .import: $(cat "$DATA/baseline.time") s"
done
rm -f "$base" "$db" "$db"-wal "$db"-shm
log "end: load $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
b=$(median ${times[b]})
echo "sqlite3 .import: median $b s (runs${times[b]})"
for i in "${!bins[@]}"; do
  # shellcheck disable=SC2086
  m=$(median ${times[$i]})
  # shellcheck disable=SC2086
  peak=$(printf '%s\n' ${rss[$i]} | sort -n | tail -1)
  echo "${bins[$i]}: median $m s (runs${times[$i]}), ratio $(python3 -c "print(round($m / $b, 2))")×, peak $((peak / 1024)) MB"
done
