#!/usr/bin/env bash
# The exposure benchmarks (issue 7): the exposure of every account of a 1,000,000-person
# organisation, and 1,000 simulation runs over a 10,000-person organisation.
# The organisation is generated in memory (the scale generator of `iskra generate`, seed 1912),
# with no database: see crates/web/examples/exposure_bench.rs for what is timed and the baseline.
# Run on request, never in CI; about a minute, and 600 MB of memory.
#
#   bash bench/exposure.sh                 # 3 rounds, medians, printed as a Markdown table
#   ROUNDS=5 PEOPLE=1000000 SIM_PEOPLE=10000 RUNS=1000 bash bench/exposure.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-bench}"
ROUNDS="${ROUNDS:-3}"
PEOPLE="${PEOPLE:-1000000}"
SIM_PEOPLE="${SIM_PEOPLE:-10000}"
RUNS="${RUNS:-1000}"
cargo build --release -q -p web --example exposure_bench
bin="$CARGO_TARGET_DIR/release/examples/exposure_bench"
out="$(mktemp)"
for i in $(seq "$ROUNDS"); do
  echo "round $i of $ROUNDS" >&2
  "$bin" "$PEOPLE" "$SIM_PEOPLE" "$RUNS" >>"$out"
done
python3 - "$out" "$(git rev-parse --short HEAD)" "$(uptime | sed 's/.*load average: //')" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
commit, load = sys.argv[2], sys.argv[3]
def med(k): return statistics.median(r[k] for r in rows)
def runs(k): return ",".join(f"{r[k]:.2f}" for r in rows)
r0 = rows[0]
total = [r["index_s"] + r["analyse_s"] for r in rows]
print(f"commit {commit}; {len(rows)} rounds; load average at the end {load}")
print()
print("| figure | goal | median (runs) |")
print("|---|---|---|")
print(f"| exposure of every account, {r0['people']:,} people ({r0['subjects']:,} subjects, {r0['accounts']:,} live accounts, {r0['units']:,} units, {r0['attendances']:,} attendances, {r0.get('desk_reports', 0):,} reports on the editors' desk, {r0.get('report_senders', 0):,} senders still known to the editor each report is assigned to, {r0.get('bundles', 0):,} bundles): index + analysis | ≤ 10 s | {statistics.median(total):.2f} s ({','.join(f'{t:.2f}' for t in total)}) |")
print(f"|   of which indexing the snapshot | | {med('index_s'):.2f} s ({runs('index_s')}) |")
print(f"|   of which the analysis (rules once per class, then person by person) | | {med('analyse_s'):.2f} s ({runs('analyse_s')}) |")
print(f"|   baseline: the rules asked about every unit for each account ({med('baseline_per_account_ms'):.2f} ms an account, on a sample of 200) | | {med('baseline_s'):.0f} s ({runs('baseline_s')}) |")
print(f"| {r0['runs']:,} simulation runs over {r0['sim_people']:,} people, random placement | ≤ 10 s | {med('sim_random_s'):.3f} s ({runs('sim_random_s')}) |")
print(f"|   the same, targeted placement (the turned are chosen first, once) | ≤ 10 s | {med('sim_targeted_s'):.3f} s ({runs('sim_targeted_s')}) |")
print(f"|   building the network from the rules | | {med('network_s'):.3f} s |")
d = r0["people_exposed"]
print()
print(f"People exposed per account at {r0['people']:,}: median {d['median']}, 90% {d['p90']}, 99% {d['p99']}, most {d['max']}; "
      f"simulation (default scenario) exposed {100*r0['sim_random_exposed']:.1f}% (random) and {100*r0['sim_targeted_exposed']:.1f}% (targeted) on average.")
w = r0.get("worst")
if w:
    who = ", ".join(w["offices"]) or ("no office" if w["has_account"] else "no account (as if invited)")
    print(f"The worst account: {w['people']:,} people ({who}; {w['named_in_documents']:,} of them named by documents only).")
we = r0.get("worst_editor")
if we:
    print(f"The worst editor's account: {we['people']:,} people ({we['named_in_documents']:,} named by documents only: report senders and congress participants).")
# Machine-readable summary for bench/all.sh: figure|goal|median|baseline|ratio|met.
t = statistics.median(total)
b = med('baseline_s')
print()
print(f"RESULT|exposure of every account, {r0['people']:,} people|≤ 10 s|{t:.2f} s|"
      f"rules asked about every unit per account {b:.0f} s|{t / b:.4f}×|{'yes' if t <= 10 else 'no'}")
for key, name in (("sim_random_s", "random"), ("sim_targeted_s", "targeted")):
    m = med(key)
    print(f"RESULT|{r0['runs']:,} simulation runs over {r0['sim_people']:,} people, {name} placement|≤ 10 s|"
          f"{m:.3f} s|||{'yes' if m <= 10 else 'no'}")
PY
rm -f "$out"
