#!/usr/bin/env bash
# Serves the built web apps for local runs (called by scripts/up.sh): customer shop on :4200 (its /api goes to
# the gateway on :8080), admin console on :4201 (its /auth and /api go to the admin BFF on :5106). Builds first
# when there is no build yet. Environment: CUSTOMER_PORT, ADMIN_PORT, GATEWAY_URL, ADMIN_BFF_URL, OIDC_ISSUER.
set -euo pipefail
web="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$web/../scripts/tools/node24.sh"
export PATH="$web/../.tools/node24/bin:$PATH" NG_CLI_ANALYTICS=false
cd "$web"
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
for app in customer admin; do
  [ -f "dist/$app/browser/index.html" ] || { npx ng build "$app" && node compile-hints.ts "dist/$app/browser"; }
done
exec node e2e/serve.ts
