#!/usr/bin/env bash
# Every benchmark in one run (issue 8, §2): runs each bench/*.sh (each runs its own baseline
# beside it), collects the summary lines they print,
#
#   RESULT|figure|goal|median|baseline|ratio|met
#
# prints them as one table (figure, goal, measured median, baseline, ratio, met?) and writes that
# table as the top section of BENCHMARKS.md ("## Summary (bench/all.sh)", with the machine from
# /proc and the date), leaving the detailed sections below as they are. Scripts that write their
# own detailed section (foundation, accounts, search) rewrite it in the same run.
#
#   bash bench/all.sh                  # the full suite: a million people, hours; on request only,
#                                      # never in CI (the machine should be otherwise quiet)
#   QUICK=1 bash bench/all.sh          # small sizes, a few minutes: checks that every script runs
#                                      # and reports; writes a scratch copy of BENCHMARKS.md (its
#                                      # path is printed), never the real one
#   ONLY="exposure paper" bash bench/all.sh     # only these scripts (names without .sh)
#
# Settings (environment): CARGO_TARGET_DIR (/work/target-bench; one release build serves every
# script), QUICK_DIR (/tmp/iskra-bench-quick: QUICK's generated data, removed at the end unless
# KEEP=1), LOGS (a new directory under /tmp: each script's full output), TIMEOUT (per script,
# seconds: 14400, or 1800 with QUICK), BENCHMARKS_MD (the file to write).
#
# A script added under bench/ is picked up as it is: it runs, and its RESULT lines join the table
# (a script printing none is listed as such). A script that fails is listed as failed, with its
# log; the others still run. Every load test targets 127.0.0.1 only and is bounded in time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-bench}"
QUICK="${QUICK:-}"
QUICK_DIR="${QUICK_DIR:-/tmp/iskra-bench-quick}"
LOGS="${LOGS:-$(mktemp -d /tmp/iskra-bench-all.XXXXXX)}"
mkdir -p "$LOGS"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

# The order: the database-building benchmarks first (memory.sh serves search.sh's database),
# then the in-memory ones; any other script after them, by name.
order=(foundation accounts search memory count exposure congress paper)
scripts=()
for n in "${order[@]}"; do [ -f "bench/$n.sh" ] && scripts+=("$n"); done
for f in bench/*.sh; do
  n=$(basename "$f" .sh)
  [ "$n" = all ] && continue
  # import.sh is foundation.sh's import figure alone, for work on the import: not twice here.
  [ "$n" = import ] && continue
  [[ " ${order[*]} " == *" $n "* ]] || scripts+=("$n")
done
if [ -n "${ONLY:-}" ]; then
  keep=()
  for n in "${scripts[@]}"; do [[ " $ONLY " == *" $n "* ]] && keep+=("$n"); done
  scripts=("${keep[@]}")
fi

# QUICK: small sizes, separate data directories and database names (a full run's data is never
# touched), and a scratch copy of BENCHMARKS.md for the scripts that rewrite their section.
declare -A quick_env=(
  [foundation]="PEOPLE=20000 ROUNDS=1 EVAL_RUNS=1 PAGE_WARMUP=5 PAGE_RUNS=40 DATA=$QUICK_DIR/foundation PG_URL=postgres://postgres@127.0.0.1:5432/iskra_quick_foundation PORT=18573"
  [accounts]="PEOPLE=20000 RUNS=1 LOGINS=5 PAGE_WARMUP=5 PAGE_RUNS=40 WRK_ROUNDS=1 WRK_SECONDS=2 DATA=$QUICK_DIR/accounts PORT=18574 REUSE=0"
  [search]="PEOPLE=20000 WARMUP=5 RUNS=60 PREFIXES=10 DATA=$QUICK_DIR/search PG_URL=postgres://postgres@127.0.0.1:5432/iskra_quick_search PORT=18575"
  [memory]="DATA=$QUICK_DIR/search LOGINS=5 CLIENTS=2 PORT=18576"
  [count]="STV_BALLOTS=20000 RUNS=1 PV_RUNS=1 CORPUS_RUNS=1 WORK=$QUICK_DIR/count"
  [exposure]="ROUNDS=1 PEOPLE=20000 SIM_PEOPLE=2000 RUNS=100"
  [congress]="RUNS=1 DELEGATES=100 SPREAD_MS=1000"
  [congress_kill]="RUNS=1 DELEGATES=100 SPREAD_MS=1000"
  [paper_public]="ROUNDS=1 SECONDS_EACH=2 PORT=18577"
  [picture]="PEOPLE=20000 REPORTS=20000 RUNS=3 DATA=$QUICK_DIR/picture PG_URL=postgres://postgres@127.0.0.1:5432/iskra_quick_picture PORT=18578"
)
if [ -n "$QUICK" ]; then
  TIMEOUT="${TIMEOUT:-1800}"
  mkdir -p "$QUICK_DIR"
  export BENCHMARKS_MD="${BENCHMARKS_MD:-$QUICK_DIR/BENCHMARKS.md}"
  [ -s "$BENCHMARKS_MD" ] || cp BENCHMARKS.md "$BENCHMARKS_MD"
  # congress.sh appends each run to bench/results-congress.txt: a quick run's lines are not kept.
  [ -f bench/results-congress.txt ] && cp bench/results-congress.txt "$LOGS/results-congress.txt.saved"
  [ -f bench/results-congress-kill.txt ] && cp bench/results-congress-kill.txt "$LOGS/results-congress-kill.txt.saved"
else
  TIMEOUT="${TIMEOUT:-14400}"
  export BENCHMARKS_MD="${BENCHMARKS_MD:-$root/BENCHMARKS.md}"
fi
export QUICK

machine_load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
: >"$LOGS/results.txt"
for n in "${scripts[@]}"; do
  log "bench/$n.sh${QUICK:+ (QUICK: ${quick_env[$n]:-no settings})}"
  t0=$(date +%s)
  rc=0
  # shellcheck disable=SC2086 # the settings are words KEY=VALUE
  env ${QUICK:+${quick_env[$n]:-}} timeout "$TIMEOUT" bash "bench/$n.sh" >"$LOGS/$n.log" 2>&1 || rc=$?
  secs=$(($(date +%s) - t0))
  found=$(grep -c '^RESULT|' "$LOGS/$n.log" || true)
  if [ "$rc" != 0 ]; then
    log "  failed (exit $rc) after ${secs} s: $LOGS/$n.log"
    tail -5 "$LOGS/$n.log" | sed 's/^/    /' >&2
    echo "FAILED|$n|exit $rc after ${secs} s; log $LOGS/$n.log" >>"$LOGS/results.txt"
  elif [ "$found" = 0 ]; then
    log "  ran in ${secs} s but printed no RESULT line"
    echo "NONE|$n|ran in ${secs} s, printed no RESULT line; log $LOGS/$n.log" >>"$LOGS/results.txt"
  else
    log "  $found figures in ${secs} s"
  fi
  grep '^RESULT|' "$LOGS/$n.log" | sed "s/^RESULT|/RESULT|$n|/" >>"$LOGS/results.txt" || true
done
if [ -n "$QUICK" ]; then
  for f in results-congress.txt results-congress-kill.txt; do
    [ -f "$LOGS/$f.saved" ] && cp "$LOGS/$f.saved" "bench/$f"
  done
fi

command_line="${QUICK:+QUICK=1 }${ONLY:+ONLY=\"$ONLY\" }bash bench/all.sh"
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- crates bench || echo +uncommitted)"
python3 - "$LOGS/results.txt" "$BENCHMARKS_MD" "$command_line" "$commit" "$started" \
  "$machine_load_start" "$LOGS" <<'PY'
import os, re, sys
results, md, command, commit, started, load_start, logs = sys.argv[1:8]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
cores = sum(1 for l in open("/proc/cpuinfo") if l.startswith("processor"))
mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal:"))
load_end = " ".join(open("/proc/loadavg").read().split()[:3])
quick = command.startswith("QUICK=1")
rows, problems = [], []
for line in open(results, encoding="utf-8"):
    parts = line.rstrip("\n").split("|")
    if parts[0] == "RESULT":
        script, fields = parts[1], (parts[2:] + [""] * 6)[:6]
        rows.append([f"`{script}`"] + fields)
    elif parts[0] in ("FAILED", "NONE"):
        problems.append(f"- `bench/{parts[1]}.sh`: {'**failed**, ' if parts[0] == 'FAILED' else ''}{parts[2]}")
def met(v):
    return {"yes": "met", "no": "**not met**"}.get(v, v)
title = "## Summary (bench/all.sh)"
out = [title, ""]
if quick:
    out += ["**QUICK run: small sizes (20,000 people and the like), to check that the suite runs; "
            "these are not the issues' figures.**", ""]
out += [
    f"`{command}` started {started} at commit {commit}; {cpu}, {cores} cores, "
    f"{mem_kb / 1024 / 1024:.1f} GiB memory (from /proc); load average {load_start} at the start, "
    f"{load_end} at the end (the machine is shared). Each figure is the median its script reports, "
    "next to the baseline that script ran beside it in the same run; the sections below give each "
    "one's method and detail (those of `foundation`, `accounts` and `search` are rewritten by the "
    "same run; the others keep the text of their own last run).",
    "",
    "| script | figure | goal | median | baseline | ratio | met? |",
    "|---|---|---|---|---|---|---|",
]
for r in rows:
    r[-1] = met(r[-1])
    out.append("| " + " | ".join(c.replace("|", "/") for c in r) + " |")
not_met = sum(1 for r in rows if r[-1] == "**not met**")
out += ["", f"{len(rows)} figures, {not_met} not met."]
if problems:
    out += ["", "Scripts without figures in this run:"] + problems
out += ["", f"Full logs of the run: `{logs}` (not kept in the repository).", ""]
section = "\n".join(out)
print(section)
text = open(md, encoding="utf-8").read() if os.path.exists(md) else "# Benchmarks\n"
pat = re.compile(r"^## Summary \(bench/all\.sh\)\n.*?(?=^## |\Z)", re.S | re.M)
if pat.search(text):
    text = pat.sub(lambda _: section + "\n", text, count=1)
else:
    m = re.search(r"^## ", text, re.M)
    text = (text[: m.start()] + section + "\n" + text[m.start():]) if m else text.rstrip("\n") + "\n\n" + section
with open(md + ".tmp", "w", encoding="utf-8") as fh:
    fh.write(text)
os.replace(md + ".tmp", md)
print(f"written to {md}", file=sys.stderr)
PY
if [ -n "$QUICK" ] && [ -z "${KEEP:-}" ]; then
  # Generated data only; the scratch BENCHMARKS.md and the logs stay for reading.
  find "$QUICK_DIR" -mindepth 1 -maxdepth 1 ! -name BENCHMARKS.md -exec rm -rf {} +
  for db in iskra_quick_foundation iskra_quick_search; do
    dropdb -h 127.0.0.1 -U postgres --if-exists "$db" 2>/dev/null || true
  done
fi
