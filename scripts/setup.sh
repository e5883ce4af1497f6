#!/usr/bin/env bash
# Everything a fresh Debian machine with Node and npm needs before Meridian starts or tests:
# Bun (npm registry), test tools (Debian), Helm and Node 24 (npm registry, repo-local), dependencies,
# then the infrastructure. Idempotent; each step says what it does.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

if ! command -v bun >/dev/null || [ "$(bun --version)" != "$BUN_VERSION" ]; then
  say "installing Bun $BUN_VERSION from the npm registry"
  as_root npm install -g --silent "bun@$BUN_VERSION" || die "npm install -g bun@$BUN_VERSION failed"
fi
say "Bun $(bun --version)"

if [ "${MERIDIAN_SETUP:-full}" = "full" ]; then
  # Browser tests, rule tests, the benchmark baseline and YAML checks use these Debian packages.
  apt_install chromium prometheus prometheus-alertmanager nginx yamllint unzip
  bash scripts/tools/helm.sh
  [ -f scripts/tools/node24.sh ] && bash scripts/tools/node24.sh
fi

say "installing workspace dependencies (bun install --frozen-lockfile)"
bun install --frozen-lockfile >/dev/null || die "bun install failed: is bun.lock up to date? (run bun install)"

bash scripts/infra.sh
