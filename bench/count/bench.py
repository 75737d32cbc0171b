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
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(HERE, "..", "..", "crates", "count", "tests")


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd):
    """Wall-clock and CPU (user + system) seconds of one run. On a shared machine the
    CPU time is the steadier figure: waiting for a core is not counted."""
    cpu0 = child_cpu()
    start = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    cpu = child_cpu() - cpu0
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {out.stderr}")
    return (elapsed, cpu), out.stdout


def winners(report_json):
    r = json.loads(report_json)
    return sorted(r["candidates"].index(n) for n in r["elected"])


def median_of(n, cmd):
    walls, cpus, last = [], [], None
    for _ in range(n):
        (w, c), last = timed(cmd)
        walls.append(w)
        cpus.append(c)
    return (statistics.median(walls), statistics.median(cpus)), walls, last


def main():
    binary, work, corpus = sys.argv[1].split(), sys.argv[2], sys.argv[3]
    runs = int(os.environ.get("RUNS", "5"))
    pv_runs = int(os.environ.get("PV_RUNS", "1"))
    corpus_runs = int(os.environ.get("CORPUS_RUNS", "3"))
    stv_file = os.environ.get("STV_FILE") or os.path.join(work, "stv-1m-30c-5s.blt")
    ballots = int(os.environ.get("STV_BALLOTS", "1000000"))
    schulze_file = os.path.join(work, "schulze-10k-20.blt")
    rows = []

    # Scottish STV, 1,000,000 ballots.
    (w_i, c_i), all_i, out = median_of(runs, binary + [stv_file, "--method", "scottish-stv", "--format", "json"])
    ours = winners(out)
    pv_wall, pv_cpu, theirs = [], [], None
    for _ in range(pv_runs):
        (w, c), o = timed([sys.executable, os.path.join(TESTS, "pref_voting_stv.py"), stv_file])
        pv_wall.append(w)
        pv_cpu.append(c)
        theirs = json.loads(o).get("winners")
    pw, pc = statistics.median(pv_wall), statistics.median(pv_cpu)
    rows.append((f"Scottish STV, {ballots:,} ballots, 30 candidates, 5 seats", w_i, c_i, all_i,
                 f"{pw:.1f} s (CPU {pc:.1f} s)", f"{pw / w_i:.0f}× (CPU {pc / c_i:.0f}×)",
                 "≤ 2 s, ≥ 50×", "same" if ours == theirs else f"DIFFER: {ours} vs {theirs}"))
    results = [(rows[-1][0], "≤ 2 s and ≥ 50× pref_voting", f"{w_i:.2f} s", f"pref_voting {pw:.1f} s",
                f"{pw / w_i:.0f}×", w_i <= 2 and pw / w_i >= 50 and ours == theirs)]

    # Schulze, 10,000 ballots × 20 options.
    (w_s, c_s), all_s, out = median_of(runs, binary + [schulze_file, "--method", "schulze", "--format", "json"])
    ours = winners(out)
    pv = [timed([sys.executable, os.path.join(HERE, "pv_schulze.py"), schulze_file]) for _ in range(pv_runs)]
    pv_json = [json.loads(o) for _, o in pv]
    # pref_voting's own figure excludes python start-up and imports (several seconds).
    pv_t = statistics.median(p["seconds"] for p in pv_json)
    rows.append(("Schulze, 10,000 ballots × 20 options", w_s, c_s, all_s,
                 f"{pv_t:.2f} s (after imports)", f"{pv_t / w_s:.0f}×", "≤ 50 ms",
                 "same" if ours == pv_json[0]["winners"] else f"DIFFER: {ours} vs {pv_json[0]['winners']}"))
    results.append((rows[-1][0], "≤ 50 ms", f"{w_s * 1000:.0f} ms", f"pref_voting {pv_t:.2f} s",
                     f"{pv_t / w_s:.0f}×", w_s <= 0.05 and ours == pv_json[0]["winners"]))

    # The whole Scottish corpus, one process per ward, as a returning officer would run it.
    files = sorted(glob.glob(os.path.join(corpus, "*", "*.blt")))
    walls, cpus = [], []
    for _ in range(corpus_runs):
        cpu0 = child_cpu()
        start = time.perf_counter()
        for f in files:
            subprocess.run(binary + [f, "--method", "scottish-stv", "--format", "json"],
                           stdout=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - start)
        cpus.append(child_cpu() - cpu0)
    rows.append((f"Whole Scottish corpus, {len(files)} wards (one process each)",
                 statistics.median(walls), statistics.median(cpus), walls,
                 "(all agree: bench/count/corpus.sh)", "", "≤ 10 s", ""))
    results.append((rows[-1][0], "≤ 10 s", f"{statistics.median(walls):.2f} s", "", "",
                    statistics.median(walls) <= 10))

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print(f"Machine: {cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
          f"Python {platform.python_version()}")
    print(f"Runs: iskra median of {runs}, pref_voting median of {pv_runs}, corpus median of {corpus_runs}\n")
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(f"Load average at the end (1, 5, 15 min): {' '.join(load)}\n")
    print("| count | iskra wall (median) | iskra CPU (median) | iskra wall, each run | pref_voting | speed-up | goal | winners |")
    print("|---|---|---|---|---|---|---|---|")
    for name, w, c, all_w, pv, ratio, goal, same in rows:
        runs_s = ", ".join(f"{x:.2f}" for x in all_w)
        print(f"| {name} | {w * 1000:.0f} ms | {c * 1000:.0f} ms | {runs_s} s | {pv} | {ratio} | {goal} | {same} |")
    # Machine-readable summary for bench/all.sh: figure|goal|median|baseline|ratio|met.
    print()
    for name, goal, m, base, ratio, ok in results:
        print(f"RESULT|{name}|{goal}|{m}|{base}|{ratio}|{'yes' if ok else 'no'}")


if __name__ == "__main__":
    main()
