#!/usr/bin/env python3
"""Count BLT files with pref_voting's stv_scottish, an independent implementation.

Usage: pref_voting_stv.py FILE.blt ...   (or file names on stdin, one a line)
Prints one JSON object a line: {"file": ..., "seats": k, "winners": [0-based indices, sorted]}
or {"file": ..., "error": ...}.

The BLT reader here is deliberately separate from the Rust one: it reads only the
numbers (header, optional withdrawn line, ballots up to `0`), which is all a count needs.
"""
import json
import random
import sys
import time


def read_blt(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    lines = [l.strip() for l in text.splitlines()]
    lines = [l for l in lines if l and not l.startswith("#")]
    tok = lambda l: [t for t in l.replace(",", " ").split() if t]
    ncand, seats = (int(x) for x in tok(lines[0]))
    i = 1
    withdrawn = set()
    if lines[i].startswith("-"):
        withdrawn = {-int(x) - 1 for x in tok(lines[i])}
        i += 1
    # Identical rankings are merged (as pref_voting's rcounts intend): a large file
    # then costs pref_voting far less than one entry per ballot would.
    merged = {}
    while tok(lines[i]) != ["0"]:
        t = tok(lines[i])
        weight = int(t[0])
        prefs = tuple(c for c in (int(x) - 1 for x in t[1:] if x != "0") if c not in withdrawn)
        if weight > 0 and prefs:
            merged[prefs] = merged.get(prefs, 0) + weight
        i += 1
    ballots = [(w, list(p)) for p, w in merged.items()]
    return ncand, seats, withdrawn, ballots


def count(path):
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.proportional_methods import stv_scottish

    ncand, seats, withdrawn, ballots = read_blt(path)
    cands = [c for c in range(ncand) if c not in withdrawn]
    rankings = [{c: r for r, c in enumerate(prefs)} for _, prefs in ballots]
    counts = [w for w, _ in ballots]
    profile = ProfileWithTies(rankings, rcounts=counts, candidates=cands)
    winners = stv_scottish(profile, num_seats=seats, rng=random.Random(0))
    return seats, sorted(int(w) for w in winners)


def main():
    files = sys.argv[1:] or [l.strip() for l in sys.stdin if l.strip()]
    for path in files:
        start = time.perf_counter()
        try:
            seats, winners = count(path)
            out = {"file": path, "seats": seats, "winners": winners}
        except Exception as e:  # report and go on: one bad file must not hide the rest
            out = {"file": path, "error": f"{type(e).__name__}: {e}"}
        out["seconds"] = round(time.perf_counter() - start, 4)
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
