#!/usr/bin/env bash
# The web apps' one test entry: Node 24 (scripts/tools/node24.sh), `npm ci` from the lock, production builds
# of both apps (a budget or any other build warning fails), unit tests (Vitest via `ng test`), the admin PWA
# check, and the end-to-end tests against the platform started on loopback (e2e/run-platform.ts).
# Last line: `web: N passed, N failed` (each unit/PWA/e2e test counts once, each clean build and the e2e type
# check once).
set -uo pipefail

web="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$web")"
out="$web/e2e/.out/test-$(date -u +%Y%m%dT%H%M%S)"
mkdir -p "$out"
# Keep the logs of the last 20 runs only.
ls -dt "$web"/e2e/.out/*/ 2>/dev/null | tail -n +21 | xargs -r rm -rf
passed=0
failed=0

finish() {
  echo "web: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}

step() { echo; echo "== web: $*"; }

step "Node 24"
if ! bash "$repo/scripts/tools/node24.sh"; then failed=$((failed + 1)); finish; fi
export PATH="$repo/.tools/node24/bin:$PATH"
export NG_CLI_ANALYTICS=false NG_FORCE_TTY=false
cd "$web"

step "npm ci (from package-lock.json)"
if ! npm ci --no-audit --no-fund --loglevel=error; then failed=$((failed + 1)); finish; fi

for app in customer admin; do
  step "production build of $app"
  if npx ng build "$app" --configuration production >"$out/build-$app.log" 2>&1 \
    && node compile-hints.ts "dist/$app/browser" >>"$out/build-$app.log" 2>&1; then
    if grep -Eiq '(^|[^a-z])warning' "$out/build-$app.log"; then
      cat "$out/build-$app.log"; echo "web: the $app build has warnings"; failed=$((failed + 1))
    else
      tail -n 3 "$out/build-$app.log"; passed=$((passed + 1))
    fi
  else
    cat "$out/build-$app.log"; failed=$((failed + 1))
  fi
done

step "type check of the end-to-end code (e2e/tsconfig.json)"
if npx tsc -p e2e/tsconfig.json; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

# count_json <vitest json report> <exit code>: adds its counts (a run that reports nothing but failed counts 1).
count_json() {
  local counts
  if counts="$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTestSuites>0&&r.numTotalTests===0?1:0))' "$1" 2>/dev/null)"; then
    passed=$((passed + ${counts% *})); failed=$((failed + ${counts#* }))
    [ "$2" -ne 0 ] && [ "${counts#* }" -eq 0 ] && failed=$((failed + 1))
  else
    failed=$((failed + 1))
  fi
}

# count_tap <tap file> <exit code>: node:test's own totals.
count_tap() {
  local p f
  p="$(grep -E '^# pass [0-9]+' "$1" 2>/dev/null | tail -1 | awk '{print $3}')"
  f="$(grep -E '^# fail [0-9]+' "$1" 2>/dev/null | tail -1 | awk '{print $3}')"
  if [ -z "$p" ] || [ -z "$f" ]; then failed=$((failed + 1)); return; fi
  passed=$((passed + p)); failed=$((failed + f))
  [ "$2" -ne 0 ] && [ "$f" -eq 0 ] && failed=$((failed + 1))
  return 0
}

for app in customer admin; do
  step "unit tests of $app"
  npx ng test "$app" --watch=false --reporters=default --reporters=json --output-file="$out/unit-$app.json"
  count_json "$out/unit-$app.json" $?
done

run_node_tests() { # run_node_tests <name> <file>
  node --test --test-timeout=900000 --test-concurrency=1 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$out/$1.tap" "$2"
  count_tap "$out/$1.tap" $?
}

step "compile hints of the production builds"
run_node_tests compile-hints e2e/compile-hints.test.ts

step "PWA check of the admin production build"
run_node_tests pwa e2e/pwa.test.ts

step "end-to-end tests against the platform (logs: web/e2e/.out/, screenshots: web/e2e/screenshots/, Lighthouse scores: web/results/)"
if ! command -v bun >/dev/null 2>&1; then
  echo "web: bun is not on PATH: the platform cannot start"; failed=$((failed + 1))
else
  run_node_tests e2e e2e/platform.test.ts
  run_node_tests e2e-shop e2e/shop.test.ts
  run_node_tests e2e-admin e2e/admin.test.ts
fi

finish
