"""Writes the "## Foundation (issue 2)" section of BENCHMARKS.md from bench/foundation.sh's results.

    python3 bench/foundation_report.py DATA_DIR BENCHMARKS.md

Reads DATA_DIR/results-sqlite.txt and DATA_DIR/results-postgres.txt (whichever exist), prints
the table, and replaces only this section of the file (re-read right before writing; other
sections belong to others). Notes kept in bench/foundation-notes.md are copied in verbatim.
"""

import os
import re
import shlex
import sys

TITLE = "## Foundation (issue 2)"


def load(path):
    if not os.path.exists(path):
        return None
    out = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line:
            continue
        for tok in shlex.split(line):
            k, _, v = tok.partition("=")
            out[k] = v
    return out


def f(v, digits=2):
    return f"{float(v):.{digits}f}"


def mb(kb):
    return f"{float(kb) / 1024:.0f} MB"


def verdict(ok):
    return "met" if ok else "**not met**"


def section(data_dir, notes_path):
    s = load(os.path.join(data_dir, "results-sqlite.txt"))
    p = load(os.path.join(data_dir, "results-postgres.txt"))
    lines = [TITLE, ""]
    lines.append(
        "Import, evaluation and unit page for a generated organisation of "
        f"{int((s or p)['people']):,} people (`iskra generate`, seed {(s or p)['seed']}). "
        "Every figure is a median; baselines ran side by side in the same run. "
        "Heavy: run on request, never in CI."
    )
    lines.append("")
    for name, r in (("SQLite", s), ("PostgreSQL", p)):
        if r is None:
            lines.append(f"- {name}: not measured yet.")
            continue
        extra = f", PostgreSQL {r['pg_version']}" if "pg_version" in r else ""
        lines.append(
            f"- {name}: `{r['run_command']}` on {r['run_date']} at commit {r['run_commit']}; "
            f"{r['machine_nproc']} cores ({r['machine_cpu']}), {r['machine_mem']} RAM{extra}; "
            f"load average at the start {r.get('run_load', '?')} (the machine is shared)."
        )
        if "reused_from" in r:
            lines.append(
                f"  Evaluation and unit page only; the database, and the import and activity "
                f"figures, come from the run of {r['reused_from']}."
            )
    lines.append("")
    lines.append("| figure | goal | SQLite | PostgreSQL |")
    lines.append("|---|---|---|---|")

    def row(label, goal, sv, pv):
        lines.append(f"| {label} | {goal} | {sv} | {pv} |")

    if s:
        ratio = float(s["import_ratio"])
        rss = float(s["import_rss_max_kb"]) / 1024
        row(
            f"Import {int(s['csv_rows']):,} people from CSV ({s['csv_mb']} MB), wall time",
            "",
            f"{f(s['import_median'], 1)} s (runs {s['import_all']})",
            f"{f(p['import_once'], 1)} s (one run, for information)" if p else "",
        )
        row(
            "  `sqlite3` `.import --csv` of the same file into a plain table",
            "",
            f"{f(s['baseline_median'], 1)} s (runs {s['baseline_all']})",
            "",
        )
        row("  ratio import / `sqlite3 .import`", "≤ 4×", f"{ratio:.2f}× — {verdict(ratio <= 4)}", "")
        row(
            "  peak memory of the import (max RSS, worst of the runs)",
            "≤ 300 MB",
            f"{rss:.0f} MB — {verdict(rss <= 300)}",
            mb(p["import_rss_kb"]) if p else "",
        )
    ev = []
    for r in (s, p):
        if r:
            t = float(r["eval_median"])
            ev.append(f"{t:.3f} s — {verdict(t <= 2)} (runs {r['eval_all']})")
        else:
            ev.append("not measured")
    row("Evaluation: membership and voting rights of everyone, counts per unit (`iskra evaluate`, \"evaluated in\")", "≤ 2 s", *ev)
    row(
        "  the whole `iskra evaluate` process (open, migrate check, evaluate, print)",
        "",
        *[f"{f(r['eval_process_median'])} s" if r else "" for r in (s, p)],
    )
    pg = []
    for r in (s, p):
        if r:
            t = float(r["page_p95"])
            pg.append(f"p95 {t:.1f} ms — {verdict(t <= 20)}; p50 {f(r['page_p50'], 1)} ms")
        else:
            pg.append("not measured")
    row("Unit page `GET /units/ID` of local `r01-l01` (500 members in its branch), signed in as its secretary (names and identities shown)", "p95 ≤ 20 ms", *pg)
    row(
        "  same server, `GET /static/iskra.css` (no database)",
        "",
        *[f"p95 {f(r['css_p95'], 2)} ms; p50 {f(r['css_p50'], 2)} ms" if r else "" for r in (s, p)],
    )
    lines.append("")
    lines.append(
        f"Page latencies: {(s or p)['page_bytes']}-byte page, one keep-alive connection, "
        f"the unit page and the stylesheet requested alternately; {(s or p).get('page_warmup', 20)} "
        f"warm-up pairs, then {(s or p).get('page_runs', 300)} measured (client-side, Python "
        "`http.client`), against `iskra serve --insecure-localhost` on 127.0.0.1."
    )
    lines.append("")
    for name, r in (("SQLite", s), ("PostgreSQL", p)):
        if r:
            lines.append(f"- {name} import said: {r.get('import_output', '(not kept)')}" if "import_output" in r else f"- {name}:")
            act = (f"a year of activity added in {f(r['activity_seconds'], 0)} s"
                   if "activity_seconds" in r else f"activity: {r.get('activity_note', 'not timed')}")
            lines.append(f"  - {act}; evaluation said: {r['eval_counts']}")
    if os.path.exists(notes_path):
        lines.append("")
        lines.append(open(notes_path, encoding="utf-8").read().strip())
    return "\n".join(lines) + "\n"


def results(data_dir):
    """One line per figure for bench/all.sh: RESULT|figure|goal|median|baseline|ratio|met."""
    out = []
    for name, r in (("SQLite", load(os.path.join(data_dir, "results-sqlite.txt"))),
                    ("PostgreSQL", load(os.path.join(data_dir, "results-postgres.txt")))):
        if r is None:
            continue
        n = f"{int(r['people']):,}"
        if "import_median" in r:
            i, b = float(r["import_median"]), float(r["baseline_median"])
            out.append((f"import {n} people ({name})", "≤ 4× sqlite3 .import", f"{i:.1f} s",
                        f"sqlite3 .import {b:.1f} s", f"{i / b:.2f}×", i / b <= 4))
            rss, brss = float(r["import_rss_max_kb"]) / 1024, float(r["baseline_rss_median_kb"]) / 1024
            out.append((f"import {n} people, peak memory ({name})", "≤ 300 MB", f"{rss:.0f} MB",
                        f"sqlite3 .import {brss:.0f} MB", f"{rss / brss:.1f}×", rss <= 300))
        t, tp = float(r["eval_median"]), float(r["eval_process_median"])
        out.append((f"evaluation of {n} people ({name})", "≤ 2 s", f"{t:.3f} s",
                    f"whole process {tp:.2f} s", "", t <= 2))
        p95, css = float(r["page_p95"]), float(r["css_p95"])
        out.append((f"unit page r01-l01 as its secretary, p95 ({name})", "≤ 20 ms", f"{p95:.1f} ms",
                    f"GET /static/iskra.css {css:.2f} ms", f"{p95 / css:.0f}×", p95 <= 20))
    return ["RESULT|" + "|".join([a, g, m, b, x, "yes" if ok else "no"]) for a, g, m, b, x, ok in out]


def replace_section(text, new):
    if not text.strip():
        return "# Benchmarks\n\n" + new
    # Our section runs from its title to the next "## " title (or the end).
    pat = re.compile(r"^## Foundation \(issue 2\)\n.*?(?=^## |\Z)", re.S | re.M)
    if pat.search(text):
        return pat.sub(lambda _: new + "\n", text, count=1).rstrip("\n") + "\n"
    return text.rstrip("\n") + "\n\n" + new


def main():
    data_dir, md = sys.argv[1], sys.argv[2]
    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "foundation-notes.md")
    new = section(data_dir, notes)
    print(new)
    print("\n".join(results(data_dir)))
    text = open(md, encoding="utf-8").read() if os.path.exists(md) else ""
    out = replace_section(text, new)
    with open(md + ".tmp", "w", encoding="utf-8") as fh:
        fh.write(out)
    os.replace(md + ".tmp", md)


if __name__ == "__main__":
    main()
