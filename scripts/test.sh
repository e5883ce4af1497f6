#!/usr/bin/env bash
# Runs every test of the repository against the real infrastructure of this machine and ends with
# one line: "N passed, N failed". Each Bun workspace with a test/ folder runs in its own process.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

bash scripts/setup.sh || die "setup failed (see above); nothing was tested"

results="$REPO_ROOT/.run/junit"
rm -rf "$results" && mkdir -p "$results"
passed=0 failed=0 skipped=0
summary=()

# Static checks first (typecheck, lint, format, dependency rules): each counts as one test.
if [ -z "${MERIDIAN_TEST_ONLY:-}" ] || [[ " $MERIDIAN_TEST_ONLY " == *" check "* ]]; then
  say "checking types, lint, format and dependency rules (scripts/check.sh)"
  start=$SECONDS
  bash scripts/check.sh 2>&1 | tee "$results/check.log" | sed -u "s/^/  [check] /"
  check_out="$(grep -aE '^check: [0-9]+ passed, [0-9]+ failed' "$results/check.log" | tail -1)"
  if [ -n "$check_out" ]; then
    cp=$(echo "$check_out" | grep -o '[0-9]* passed' | grep -o '[0-9]*'); cf=$(echo "$check_out" | grep -o '[0-9]* failed' | grep -o '[0-9]*')
  else
    cp=0 cf=1; warn "scripts/check.sh printed no summary line"
  fi
  passed=$((passed + cp)); failed=$((failed + cf))
  summary+=("$(printf '%-28s %4d passed %3d failed %3d skipped  %4ds' check "$cp" "$cf" 0 $((SECONDS - start)))")
fi

count_attr() { grep -o "<testsuites[^>]*" "$1" | head -1 | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }

for dir in svc/*/ platform/ contracts/ gateway/ e2e/ k8s/ mesh/ bench/ scripts/; do
  dir="${dir%/}"
  [ -d "$dir/test" ] || continue
  # MERIDIAN_TEST_ONLY="svc/kit gateway" narrows a local run; CI runs everything.
  if [ -n "${MERIDIAN_TEST_ONLY:-}" ] && [[ " $MERIDIAN_TEST_ONLY " != *" $dir "* ]]; then continue; fi
  name="${dir//\//-}"
  report="$results/$name.xml"
  say "testing $dir"
  start=$SECONDS
  (cd "$dir" && timeout "${MERIDIAN_TEST_TIMEOUT:-1500}" bun test test --timeout 60000 --reporter=junit --reporter-outfile="$report" 2>&1) | sed -u "s/^/  [$name] /" | grep -v -E '^\s*\[[^]]*\]\s*$' || true
  if [ -s "$report" ]; then
    tests=$(count_attr "$report" tests); fails=$(count_attr "$report" failures); skips=$(count_attr "$report" skipped)
    errs=$(count_attr "$report" errors)
    fails=$((fails + errs))
    # A file that fails to load is reported by bun as an error outside any test: count it as a failure.
    if grep -q 'failures="0"' "$report" && ! grep -q '<testcase' "$report"; then fails=$((fails + 1)); fi
  else
    tests=1 fails=1 skips=0
    warn "$dir: the test run produced no report (crashed or timed out)"
  fi
  ok=$((tests - fails - skips))
  passed=$((passed + ok)); failed=$((failed + fails)); skipped=$((skipped + skips))
  summary+=("$(printf '%-28s %4d passed %3d failed %3d skipped  %4ds' "$dir" "$ok" "$fails" "$skips" $((SECONDS - start)))")
done

if [ -f web/test.sh ] && { [ -z "${MERIDIAN_TEST_ONLY:-}" ] || [[ " $MERIDIAN_TEST_ONLY " == *" web "* ]]; }; then
  say "testing web (Angular unit tests, builds, browser end-to-end)"
  start=$SECONDS
  bash web/test.sh 2>&1 | tee "$results/web.log"
  web_out="$(grep -aE '^web: [0-9]+ passed, [0-9]+ failed' "$results/web.log" | tail -1)"
  if [ -n "$web_out" ]; then
    wp=$(echo "$web_out" | grep -o '[0-9]* passed' | grep -o '[0-9]*'); wf=$(echo "$web_out" | grep -o '[0-9]* failed' | grep -o '[0-9]*')
  else
    wp=0 wf=1; warn "web/test.sh printed no summary line"
  fi
  passed=$((passed + wp)); failed=$((failed + wf))
  summary+=("$(printf '%-28s %4d passed %3d failed %3d skipped  %4ds' web "$wp" "$wf" 0 $((SECONDS - start)))")
fi

echo
say "summary"
printf '  %s\n' "${summary[@]}"
echo
if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
[ "$failed" -eq 0 ]
