#!/usr/bin/env bash
# The paper's circulation: plan and reconcile one edition of 10,000 unit bundles (pure rules,
# release build). Goal: at most 1 s. Prints medians of 11 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
out="$(cargo run --quiet --release -p core_rules --example paper_circulation)"
echo "$out"
# Machine-readable summary for bench/all.sh: figure|goal|median|baseline|ratio|met.
awk '/ bundles: .*plan \+ reconcile/ { for (i = 1; i <= NF; i++) if ($i == "reconcile" && $(i+1) ~ /^[0-9.]+$/) ms = $(i+1);
  printf "RESULT|the paper: plan and reconcile one edition of %s bundles|≤ 1 s|%s ms|||%s\n", $1, ms, (ms <= 1000 ? "yes" : "no") }' <<<"$out"
