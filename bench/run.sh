#!/usr/bin/env bash
# Runs Meridian's benchmarks (all, or those named: gateway-overhead startup order-flow) and writes
# bench/results/<name>.json plus bench/results/README.md. Each takes minutes, not hours.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
cd "$REPO_ROOT"
MERIDIAN_SETUP=full bash scripts/setup.sh
apt_install wrk nginx
say "running benchmarks: ${*:-all}"
bun bench/src/run.ts "$@"
say "results: bench/results/README.md"
