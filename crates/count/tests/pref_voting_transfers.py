#!/usr/bin/env python3
"""How many times does pref_voting's stv_scottish transfer each candidate's surplus?

Usage: pref_voting_transfers.py FILE.blt
Prints JSON: {"winners": [...], "surplus_transfers": {"<candidate index>": times}}

pref_voting documents that it uses a ballot's *current* value where rule 48(3) says
the value *when received*: after a transfer, truncation leaves the elected candidate a
little above the quota, and pref_voting transfers that remainder again (and again).
The law transfers each surplus once. This script counts the transfers that moved votes.
"""
import collections
import json
import random
import sys

import pref_voting.proportional_methods as pm
from pref_voting.profiles_with_ties import ProfileWithTies

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from pref_voting_stv import read_blt  # noqa: E402

calls = collections.Counter()
original = pm._transfer_surplus_scottish


def counting(pieces, elect, quota, recipients, parcels, *, decimals=5):
    moved = original(pieces, elect, quota, recipients, parcels, decimals=decimals)
    if moved:
        calls[elect] += 1
    return moved


pm._transfer_surplus_scottish = counting

ncand, seats, withdrawn, ballots = read_blt(sys.argv[1])
cands = [c for c in range(ncand) if c not in withdrawn]
profile = ProfileWithTies(
    [{c: r for r, c in enumerate(p)} for _, p in ballots],
    rcounts=[w for w, _ in ballots],
    candidates=cands,
)
winners = pm.stv_scottish(profile, num_seats=seats, rng=random.Random(0))
print(json.dumps({"winners": sorted(int(w) for w in winners),
                  "surplus_transfers": {str(k): v for k, v in calls.items()}}))
