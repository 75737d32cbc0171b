#!/usr/bin/env python3
"""Schulze winners of a BLT file (complete rankings) with pref_voting's beat_path.
Prints JSON {"winners": [...], "seconds": t} where t excludes python's start-up and imports."""
import json
import sys
import time

from pref_voting.profiles import Profile
from pref_voting.margin_based_methods import beat_path

start = time.perf_counter()
with open(sys.argv[1]) as f:
    lines = [l.split() for l in f.read().splitlines() if l.strip()]
ncand = int(lines[0][0])
rankings, counts = [], []
for t in lines[1:]:
    if t == ["0"]:
        break
    rankings.append([int(x) - 1 for x in t[1:-1]])
    counts.append(int(t[0]))
winners = beat_path(Profile(rankings, rcounts=counts))
print(json.dumps({"winners": sorted(int(w) for w in winners), "seconds": round(time.perf_counter() - start, 4)}))
