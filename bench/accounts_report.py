"""Writes the "## Accounts and access (issue 3)" section of BENCHMARKS.md from bench/accounts.sh.

    python3 bench/accounts_report.py DATA_DIR/results-accounts.txt BENCHMARKS.md

Prints the section and replaces only it in the file (re-read right before writing; other
sections belong to others). The first time, it goes after the Foundation section, before
"## The count". Notes kept in bench/accounts-notes.md are copied in verbatim.
"""

import os
import re
import shlex
import statistics
import sys

TITLE = "## Accounts and access (issue 3)"
GOAL_LOGIN_MS = 300
GOAL_PAGE_P95_MS = 30
GOAL_RATIO = 0.25
# One per figure, for bench/all.sh: (figure, goal, median, baseline, ratio, met).
RESULTS = []


def load(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        for tok in shlex.split(line.strip()):
            k, _, v = tok.partition("=")
            out[k] = v
    return out


def merge(r):
    """Folds the runs (keys r1_..., r2_...) into one figure each: the median of the runs for a
    number (the runs kept under KEY__runs), the sum for counts, the worst for memory, and the
    runs' lists joined for wrk's rounds."""
    runs = int(r.get("runs", 0))
    if not runs:
        return r
    out = {k: v for k, v in r.items() if not re.match(r"r\d+_", k)}
    for k in [k[3:] for k in r if k.startswith("r1_")]:
        vals = [r[f"r{i}_{k}"] for i in range(1, runs + 1) if f"r{i}_{k}" in r]
        base = k[4:] if k.startswith("big_") else k
        if base.startswith("wrk_") and base not in ("wrk_errors",):
            out[k] = ",".join(vals)
        elif base in ("page_views", "audit_views_added", "wrk_errors", "server_errors"):
            out[k] = str(sum(int(v) for v in vals))
        elif base.startswith("rss_"):
            out[k] = str(max(int(v) for v in vals))
        else:
            m = statistics.median(float(v) for v in vals)
            out[k] = str(int(m)) if m == int(m) else str(m)
            out[k + "__runs"] = vals
    return out


def runs_of(r, k, fmt):
    vals = r.get(k + "__runs")
    if not vals or len(vals) < 2:
        return ""
    return " (runs " + ", ".join(fmt.format(float(v)) for v in vals) + ")"


def nums(v):
    return [float(x) for x in v.split(",") if x]


def to_bytes(s):
    m = re.fullmatch(r"([0-9.]+)([KMG]?)B", s)
    return float(m.group(1)) * {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}[m.group(2)]


def verdict(ok):
    return "met" if ok else "**not met**"


def section(r, notes_path):
    lines = [TITLE, ""]
    lines.append(
        f"Login, and the unit page of a secretary with the identities of its people decrypted, in a "
        f"generated organisation of {int(r['people']):,} people (`iskra generate`, seed "
        f"{r['seed']}; {int(r['db_persons']):,} persons in a {r['db_mb']} MB SQLite database). "
        f"Every figure is the median of {r.get('runs', 1)} runs, each run a median or percentile "
        "of many requests; the baselines ran side by side in the same runs. Heavy: run on "
        "request, never in CI."
    )
    lines.append("")
    lines.append(
        f"- `{r['run_command']}` on {r['run_date']} at commit {r['run_commit']}; "
        f"{r['machine_nproc']} cores ({r['machine_cpu']}), {r['machine_mem']} RAM; "
        f"load average at the start {r['run_load']} (the machine is shared)."
    )
    built = "reused, built" if r.get("db_reused") == "1" else "built in this run,"
    lines.append(f"- The database was {built} {r['db_built']}.")
    lines.append("")

    rp50, rp95 = float(r["login_right_p50"]), float(r["login_right_p95"])
    wp50, wp95 = float(r["login_wrong_p50"]), float(r["login_wrong_p95"])
    up50, up95 = float(r["login_unknown_p50"]), float(r["login_unknown_p95"])
    n = r["logins"]
    mb = lambda kb: f"{int(kb) / 1024:.0f} MB"  # noqa: E731
    lines.append("| figure | goal | measured | baseline (same run) | ratio | met? |")
    lines.append("|---|---|---|---|---|---|")
    lines.append(
        f"| Login, right password: `POST /login` round trip, new connection ({n} logins a run) "
        f"| ≤ {GOAL_LOGIN_MS} ms | p50 {rp50:.0f} ms, p95 {rp95:.0f} ms"
        f"{runs_of(r, 'login_right_p95', '{:.0f}')} | | | "
        f"{verdict(rp95 <= GOAL_LOGIN_MS)} |"
    )
    lines.append(
        f"| Login, wrong password ({n}) | about equal to an unknown login | p50 {wp50:.0f} ms, "
        f"p95 {wp95:.0f} ms | right password: p50 {rp50:.0f} ms | {wp50 / rp50:.2f}× | |"
    )
    lines.append(
        f"| Login, unknown login name ({n}) | about equal to a wrong password | p50 {up50:.0f} ms, "
        f"p95 {up95:.0f} ms | wrong password: p50 {wp50:.0f} ms | {up50 / wp50:.2f}× | "
        f"{verdict(0.8 <= up50 / wp50 <= 1.25)} |"
    )
    RESULTS.append(("login, right password, p95", f"≤ {GOAL_LOGIN_MS} ms", f"{rp95:.0f} ms",
                    "", "", "yes" if rp95 <= GOAL_LOGIN_MS else "no"))
    RESULTS.append(("login, unknown login name against wrong password, p50", "0.8× to 1.25×",
                    f"{up50:.0f} ms", f"wrong password {wp50:.0f} ms", f"{up50 / wp50:.2f}×",
                    "yes" if 0.8 <= up50 / wp50 <= 1.25 else "no"))
    variants = [("", "as generated")]
    if "big_page_p50" in r:
        variants.append(("big_", "with its circles' people moved into it (copy of the database)"))
    checks = []
    for P, what in variants:
        g = lambda k: r[P + k]  # noqa: E731
        pp50, pp95 = float(g("page_p50")), float(g("page_p95"))
        hp50, hp95 = float(g("health_p50")), float(g("health_p95"))
        prps, hrps = nums(g("wrk_page_rps")), nums(g("wrk_health_rps"))
        # A round in which the page failed (non-2xx answers) measures the error page: left out.
        perr = nums(r.get(P + "wrk_page_errors", "")) or [0.0] * len(prps)
        good = [x for x, e in zip(prps, perr) if e == 0]
        failed = [(x, int(e)) for x, e in zip(prps, perr) if e > 0]
        pm, hm = statistics.median(good or prps), statistics.median(hrps)
        ratio = pm / hm
        lines.append(
            f"| Secretary's unit page `GET /units/ID`, `r01-l01` {what}: {g('page_people')} people "
            f"({g('unit_members')} members) with identities, {int(g('page_bytes')):,} bytes "
            f"({r['page_runs']} requests a run) | p95 ≤ {GOAL_PAGE_P95_MS} ms (500 members) "
            f"| p50 {pp50:.1f} ms, p95 {pp95:.1f} ms{runs_of(r, P + 'page_p95', '{:.1f}')} "
            f"| `GET /healthz`: p50 {hp50:.2f} ms, p95 {hp95:.2f} ms | | "
            + (f"{verdict(pp95 <= GOAL_PAGE_P95_MS)} |" if int(float(g("unit_members"))) >= 500
               else f"within, but {g('page_people')} people, not the goal's 500 |")
        )
        lines.append(
            f"|   its throughput under `wrk -t{r['wrk_threads']} -c{r['wrk_connections']} "
            f"-d{r['wrk_seconds']}s`, {len(prps)} rounds | ≥ {GOAL_RATIO} of `/healthz` "
            f"| {pm:,.0f} req/s (rounds {', '.join(f'{x:,.0f}' for x in good)})"
            + (f"; left out: {', '.join(f'{x:,.0f} req/s with {e:,} failed' for x, e in failed)}"
               if failed else "")
            + " "
            f"| `GET /healthz`: {hm:,.0f} req/s (rounds {', '.join(f'{x:,.0f}' for x in hrps)}) "
            f"| {ratio:.4f} | {verdict(ratio >= GOAL_RATIO)} |"
        )
        big = int(float(g("unit_members"))) >= 500
        RESULTS.append((f"secretary's unit page, {g('page_people')} people with identities, p95",
                        f"≤ {GOAL_PAGE_P95_MS} ms (500 members)", f"{pp95:.1f} ms",
                        f"GET /healthz {hp95:.2f} ms", f"{pp95 / hp95:.0f}×",
                        ("yes" if pp95 <= GOAL_PAGE_P95_MS else "no") if big else "fewer than 500"))
        RESULTS.append((f"  its throughput under wrk ({g('page_people')} people)",
                        f"≥ {GOAL_RATIO} of /healthz", f"{pm:,.0f} req/s", f"GET /healthz {hm:,.0f} req/s",
                        f"{ratio:.4f}", "yes" if ratio >= GOAL_RATIO else "no"))
        lines.append(
            f"|   server memory (`/proc/PID/status`) | (information) "
            f"| VmRSS {mb(g('rss_started_kb'))} started, "
            + (f"{mb(g('rss_after_logins_kb'))} after the logins, " if P + "rss_after_logins_kb" in r else "")
            + f"{mb(g('rss_after_page_kb'))} after the page latencies, {mb(g('rss_end_kb'))} after "
            f"wrk; peak (VmHWM) {mb(g('rss_peak_kb'))} | | | |"
        )
        reqs = nums(g("wrk_page_requests"))
        per_req = [to_bytes(b) / q for b, q in zip(g("wrk_page_read").split(","), reqs)]
        views = int(g("page_views")) + int(sum(reqs))
        checks.append(
            f"`r01-l01` {what}: {g('unit_people')} people in the unit, the page listed "
            f"{g('page_people')} with the legal name, email and phone columns "
            f"{'present' if g('page_has_identity_columns') == '1' else '**missing**'} and "
            f"{int(g('page_at_signs')):,} `@` in the body; wrk read about "
            f"{statistics.median(per_req):,.0f} bytes per page request, saw {g('wrk_errors')} "
            f"non-2xx/3xx answers (the server logged {g('server_errors') if P + 'server_errors' in r else '?'} errors), and measured a page p50 of {', '.join(g('wrk_page_p50').split(','))} "
            f"and p99 of {', '.join(g('wrk_page_p99').split(','))} under load; the audit log grew by "
            f"{int(r.get(P + 'audit_views_added', r.get(P + 'audit_added', 0))):,} identity views for "
            f"{views:,} page views counted by the clients (wrk does not count the requests still "
            f"in flight when it stops)."
        )
    lines.append("")
    lines.append(
        f"Method: `iskra serve --insecure-localhost` on 127.0.0.1 (release build), a Python "
        f"`http.client` client on the same machine. Logins: a warm-up login, then {n} rounds of "
        f"right password, wrong password and unknown login name, each on a new connection; every "
        f"failed attempt from its own loopback source address (127.0.1.N, 127.0.2.N) so that the "
        f"throttle (5 free failures per login name and per client) is never reached, and the "
        f"right password in between clears the account's record. Unit page: signed in as the "
        f"secretary `bench-sec` of `r01-l01`, one keep-alive connection, the page and "
        f"`/healthz` requested alternately, {r['page_warmup']} warm-up pairs then "
        f"{r['page_runs']} measured. Throughput: {r['wrk_version']} with the session cookie, the "
        f"page and `/healthz` alternately, {r['wrk_rounds']} × {r['wrk_seconds']} s each a run; ratio "
        f"of the medians of requests/s. wrk and the server share the machine's "
        f"{r['machine_nproc']} cores. Each variant on its own server process, started afresh for "
        f"each of the {r.get('runs', 1)} runs (the two variants alternately). The p50 and p95 "
        f"are the medians of the runs' p50 and p95; memory is the highest of the runs."
    )
    lines.append("")
    for c in checks:
        lines.append(f"- {c}")
    if os.path.exists(notes_path):
        lines.append("")
        lines.append(open(notes_path, encoding="utf-8").read().strip())
    return "\n".join(lines) + "\n"


def replace_section(text, new):
    if not text.strip():
        return "# Benchmarks\n\n" + new
    # Our section runs from its title to the next "## " title (or the end).
    pat = re.compile(r"^## Accounts and access \(issue 3\)\n.*?(?=^## |\Z)", re.S | re.M)
    if pat.search(text):
        return pat.sub(lambda _: new + "\n", text, count=1).rstrip("\n") + "\n"
    # The first time: after the Foundation section, before "## The count".
    m = re.search(r"^## The count\b", text, re.M)
    if m:
        return text[: m.start()] + new + "\n" + text[m.start() :]
    return text.rstrip("\n") + "\n\n" + new


def main():
    results, md = sys.argv[1], sys.argv[2]
    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "accounts-notes.md")
    new = section(merge(load(results)), notes)
    print(new)
    for r in RESULTS:
        print("RESULT|" + "|".join(r))
    text = open(md, encoding="utf-8").read() if os.path.exists(md) else ""
    out = replace_section(text, new)
    with open(md + ".tmp", "w", encoding="utf-8") as fh:
        fh.write(out)
    os.replace(md + ".tmp", md)


if __name__ == "__main__":
    main()
