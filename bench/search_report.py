"""Writes the "## Branch search (issue 8)" section of BENCHMARKS.md from bench/search.sh.

    python3 bench/search_report.py DATA_DIR/results-search.txt BENCHMARKS.md

Prints the section and replaces only it in the file (other sections belong to others); the
first time, it goes before "## The count".
"""

import re
import shlex
import sys

TITLE = "## Branch search (issue 8)"
GOAL_P95_MS = 50


def load(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        for tok in shlex.split(line.strip()):
            k, _, v = tok.partition("=")
            out[k] = v
    return out


def section(r):
    lines = [
        TITLE,
        "",
        f"Command: `{r.get('run_command', 'bash bench/search.sh')}` at commit {r.get('run_commit', '?')}, "
        f"{r.get('run_date', '?')}, on {r.get('machine_cpu', '?')} ({r.get('machine_nproc', '?')} cores, "
        f"{r.get('machine_mem', '?')}; load {r.get('run_load', '?')}).",
        "",
        "A regional officer (secretary of `r01`, statutes letting a secretary's office reach down) "
        "searches their branch by party-name prefix through the web page "
        "`GET /units/{r01}/search?q=...`: session, access rules, the branch query and the page. "
        f"{r.get('runs', '?')} searches after {r.get('warmup', '?')} warm-up, "
        f"{r.get('prefixes', '?')} prefixes of two or three letters drawn from the region's people, "
        "each search followed by `GET /healthz` (an empty handler) on the same keep-alive "
        "connection as the baseline.",
        "",
        "| backend | people | in the branch | search p50 | search p95 | goal p95 | empty handler p95 | found per search (median) | server RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for b in ("sqlite", "postgres"):
        if f"{b}_search_p95" not in r:
            continue
        p95 = float(r[f"{b}_search_p95"])
        ok = "met" if p95 <= GOAL_P95_MS else "**not met**"
        lines.append(
            f"| {'SQLite' if b == 'sqlite' else 'PostgreSQL ' + r.get('pg_version', '')} "
            f"| {int(r[f'{b}_people']):,} | {int(r[f'{b}_region_people']):,} "
            f"| {float(r[f'{b}_search_p50']):.1f} ms | {p95:.1f} ms | ≤ {GOAL_P95_MS} ms ({ok}) "
            f"| {float(r[f'{b}_health_p95']):.2f} ms | {r[f'{b}_found_median']} "
            f"| {int(r[f'{b}_rss_kb']) // 1024} MB |"
        )
    if "kept_from" in r:
        lines += ["", f"One backend was measured in an earlier run ({r['kept_from']}); its row is kept from there."]
    lines += [
        "",
        "The query joins the closure table (`unit_tree`, the branch's units) to the "
        "`(unit_id, pseudonym)` index of `persons`: one index range per unit of the branch, so "
        "its cost follows the branch, not the organisation. The story "
        "`the_unit_list_and_the_branch_search_use_indexes` checks the plan on both backends.",
        "",
    ]
    return "\n".join(lines)


def replace_section(text, new):
    pat = re.compile(r"^## Branch search \(issue 8\)\n.*?(?=^## |\Z)", re.S | re.M)
    if pat.search(text):
        return pat.sub(lambda _: new + "\n", text, count=1).rstrip("\n") + "\n"
    m = re.search(r"^## The count\b", text, re.M)
    if m:
        return text[: m.start()] + new + "\n" + text[m.start():]
    return text.rstrip("\n") + "\n\n" + new


def main():
    results, md = sys.argv[1], sys.argv[2]
    r = load(results)
    new = section(r)
    print(new)
    # One line per backend for bench/all.sh: RESULT|figure|goal|median|baseline|ratio|met.
    for b, name in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        if f"{b}_search_p95" not in r:
            continue
        p95, h95 = float(r[f"{b}_search_p95"]), float(r[f"{b}_health_p95"])
        print(f"RESULT|branch search, {int(r[f'{b}_region_people']):,} of {int(r[f'{b}_people']):,} people, "
              f"p95 ({name})|≤ {GOAL_P95_MS} ms|{p95:.1f} ms|GET /healthz {h95:.2f} ms|"
              f"{p95 / h95:.0f}×|{'yes' if p95 <= GOAL_P95_MS else 'no'}")
    try:
        text = open(md, encoding="utf-8").read()
    except FileNotFoundError:
        text = "# Benchmarks\n\n"
    out = replace_section(text, new)
    with open(md + ".tmp", "w", encoding="utf-8") as fh:
        fh.write(out)
    import os
    os.replace(md + ".tmp", md)


if __name__ == "__main__":
    main()
