#!/usr/bin/env bash
# The paper's circulation: plan and reconcile one edition of 10,000 unit bundles (pure rules,
# release build). Goal: at most 1 s. Prints medians of 11 runs.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
cargo run --quiet --release -p iskra-core --example paper_circulation
