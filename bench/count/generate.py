#!/usr/bin/env python3
"""Deterministic benchmark inputs for the count.

  generate.py stv OUT.blt      1,000,000 ballots, 30 candidates, 5 seats (BLT)
  generate.py schulze OUT.blt  10,000 ballots, 20 options, complete rankings (BLT)

Rankings follow a Plackett-Luce model (Zipf-like candidate strengths, sampled with the
Gumbel trick) so the count has real surpluses and a long run of exclusions; STV
ballots are truncated to a geometric length (mean about 7). Seeded: the same file every time.
"""
import sys

import numpy as np


def rankings(rng, n_ballots, n_cand, truncate):
    strength = np.log(1.0 / np.arange(1, n_cand + 1) ** 0.8)
    out = []
    chunk = 100_000
    for start in range(0, n_ballots, chunk):
        m = min(chunk, n_ballots - start)
        keys = strength + rng.gumbel(size=(m, n_cand))
        order = np.argsort(-keys, axis=1) + 1
        if truncate:
            lengths = np.minimum(rng.geometric(0.14, size=m), n_cand)
        else:
            lengths = np.full(m, n_cand)
        for row, k in zip(order, lengths):
            out.append(" ".join(map(str, row[:k].tolist())))
    return out


def write(path, n_cand, seats, lines, title):
    with open(path, "w") as f:
        f.write(f"{n_cand} {seats}\n")
        for l in lines:
            f.write(f"1 {l} 0\n")
        f.write("0\n")
        for c in range(1, n_cand + 1):
            f.write(f'"Candidate {c}"\n')
        f.write(f'"{title}"\n')


def main():
    kind, path = sys.argv[1], sys.argv[2]
    # The number of STV ballots: 1,000,000 unless given (bench/all.sh's QUICK mode).
    ballots = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
    rng = np.random.default_rng(20070503)
    if kind == "stv":
        write(path, 30, 5, rankings(rng, ballots, 30, True), f"Benchmark: {ballots:,} ballots, 30 candidates, 5 seats")
    elif kind == "schulze":
        write(path, 20, 1, rankings(rng, 10_000, 20, False), "Benchmark: 10,000 ballots, 20 options")
    else:
        sys.exit(f"unknown kind {kind}")


if __name__ == "__main__":
    main()
