#!/usr/bin/env python3
"""Time iskra's count against pref_voting on the same files, and the whole Scottish corpus.

Run through bench/count.sh, which builds the release binary and generates the inputs.
Usage: bench.py BIN WORKDIR CORPUS_DIR
Environment: RUNS (iskra repetitions, default 5), PV_RUNS (pref_voting repetitions,
default 1: one run takes minutes), CORPUS_RUNS (default 3).
"""
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..", "..", "crates", "count", "tests")


def timed(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {out.stderr}")
    return elapsed, out.stdout


def median_of(n, cmd):
    times, last = [], None
    for _ in range(n):
        t, last = timed(cmd)
        times.append(t)
    return statistics.median(times), times, last


def main():
    binary, work, corpus = sys.argv[1].split(), sys.argv[2], sys.argv[3]
    runs = int(os.environ.get("RUNS", "5"))
    pv_runs = int(os.environ.get("PV_RUNS", "1"))
    corpus_runs = int(os.environ.get("CORPUS_RUNS", "3"))
    stv_file = os.path.join(work, "stv-1m-30c-5s.blt")
    schulze_file = os.path.join(work, "schulze-10k-20.blt")
    rows = []

    # Scottish STV, 1,000,000 ballots.
    t_iskra, all_iskra, out = median_of(runs, binary + [stv_file, "--method", "scottish-stv", "--format", "json"])
    ours = sorted(int(n.split()[-1]) - 1 for n in json.loads(out)["elected"])
    pv_wall, pv_inner, theirs = [], [], None
    for _ in range(pv_runs):
        t, o = timed([sys.executable, os.path.join(TESTS, "pref_voting_stv.py"), stv_file])
        r = json.loads(o)
        pv_wall.append(t)
        pv_inner.append(r["seconds"])
        theirs = r.get("winners")
    pv_t = statistics.median(pv_inner)
    rows.append(("Scottish STV, 1,000,000 ballots, 30 candidates, 5 seats", t_iskra, all_iskra,
                 f"{pv_t:.1f} s (wall {statistics.median(pv_wall):.1f} s)", f"{pv_t / t_iskra:.0f}×",
                 "≤ 2 s, ≥ 50×", "same" if ours == theirs else f"DIFFER: {ours} vs {theirs}"))

    # Schulze, 10,000 ballots × 20 options.
    t_s, all_s, out = median_of(runs, binary + [schulze_file, "--method", "schulze", "--format", "json"])
    ours = sorted(int(n.split()[-1]) - 1 for n in json.loads(out)["elected"])
    pv = [json.loads(timed([sys.executable, os.path.join(HERE, "pv_schulze.py"), schulze_file])[1]) for _ in range(pv_runs)]
    pv_t = statistics.median(p["seconds"] for p in pv)
    rows.append(("Schulze, 10,000 ballots × 20 options", t_s, all_s, f"{pv_t:.2f} s",
                 f"{pv_t / t_s:.0f}×", "≤ 50 ms", "same" if ours == pv[0]["winners"] else f"DIFFER: {ours} vs {pv[0]['winners']}"))

    # The whole Scottish corpus, one process per ward, as a returning officer would run it.
    files = sorted(glob.glob(os.path.join(corpus, "*", "*.blt")))
    corpus_times = []
    for _ in range(corpus_runs):
        start = time.perf_counter()
        for f in files:
            subprocess.run(binary + [f, "--method", "scottish-stv", "--format", "json"],
                           stdout=subprocess.DEVNULL, check=True)
        corpus_times.append(time.perf_counter() - start)
    t_c = statistics.median(corpus_times)
    rows.append((f"Whole Scottish corpus, {len(files)} wards (one process each)", t_c, corpus_times,
                 "(see corpus.sh)", "", "≤ 10 s", ""))

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"Machine: {cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
          f"Python {platform.python_version()}")
    print(f"Runs: iskra median of {runs}, pref_voting median of {pv_runs}, corpus median of {corpus_runs}\n")
    print("| count | iskra (median) | iskra runs | pref_voting | speed-up | goal | winners |")
    print("|---|---|---|---|---|---|---|")
    for name, t, all_t, pv, ratio, goal, same in rows:
        runs_s = ", ".join(f"{x:.3f}" for x in all_t)
        print(f"| {name} | {t * 1000:.0f} ms | {runs_s} s | {pv} | {ratio} | {goal} | {same} |")


if __name__ == "__main__":
    main()
