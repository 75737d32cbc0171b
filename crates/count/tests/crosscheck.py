#!/usr/bin/env python3
"""Cross-check Schulze and apportionment on random profiles made by the Rust test.

Reads JSON on stdin:
  {"schulze": [{"ncand": n, "ballots": [[weight, [c0, c1, ...]], ...]}, ...],
   "apportion": [{"method": "dhondt"|"sainte-lague"|"hare", "seats": s, "votes": [v0, v1, ...]}, ...]}
Writes JSON: {"schulze": [[winners...], ...], "apportion": [[seats per unit...], ...]}
Schulze by pref_voting's beat_path (margins; the same as winning votes for complete
strict rankings), apportionment by votelib.
"""
import json
import sys

from pref_voting.profiles import Profile
from pref_voting.margin_based_methods import beat_path
import votelib.evaluate.proportional as prop


def main():
    data = json.load(sys.stdin)
    out = {"schulze": [], "apportion": []}
    for case in data["schulze"]:
        rankings = [prefs for _, prefs in case["ballots"]]
        counts = [w for w, _ in case["ballots"]]
        prof = Profile(rankings, rcounts=counts)
        out["schulze"].append(sorted(int(c) for c in beat_path(prof)))
    evaluators = {
        "dhondt": prop.HighestAverages("d_hondt"),
        "sainte-lague": prop.HighestAverages("sainte_lague"),
        "hare": prop.LargestRemainder("hare"),
    }
    for case in data["apportion"]:
        votes = {f"u{i}": v for i, v in enumerate(case["votes"])}
        res = evaluators[case["method"]].evaluate(votes, case["seats"])
        out["apportion"].append([int(res.get(f"u{i}", 0)) for i in range(len(case["votes"]))])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
