#!/usr/bin/env bash
# Static checks of the Bun code, run by `bun run test` (scripts/test.sh) and alone as `bun run check`:
#   typecheck   tsc --noEmit in every Bun workspace (strict, as tsconfig.json at the root says)
#   lint        Biome's linter with the one biome.json at the root
#   format      Biome's formatter check (TypeScript and JSON; Markdown and YAML are left to their authors and yamllint)
#   deps        dependency rules (scripts/dependency-rules.ts)
# Prints one line per check and ends with "check: N passed, N failed"; exits 1 when a check failed.
# MERIDIAN_CHECK_ONLY="lint deps" narrows the run.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

bin="$REPO_ROOT/node_modules/.bin"
[ -x "$bin/tsc" ] && [ -x "$bin/biome" ] || die "typescript or biome is missing: run 'bun install' at the repository root"
passed=0 failed=0
log_dir="$REPO_ROOT/.run/check"
mkdir -p "$log_dir"

wanted() { [ -z "${MERIDIAN_CHECK_ONLY:-}" ] || [[ " $MERIDIAN_CHECK_ONLY " == *" $1 "* ]]; }

# record <name> <log> <status> <hint>: one line per check; the log is printed when it failed.
record() {
  if [ "$3" -eq 0 ]; then
    passed=$((passed + 1)); say "check $1: ok"
  else
    failed=$((failed + 1)); warn "check $1: FAILED — $4"
    sed 's/^/    /' "$2" | head -200 >&2
  fi
}

# Every Bun workspace that has a tsconfig.json (the root package.json lists the workspaces).
workspaces() {
  bun -e 'const p = await Bun.file("package.json").json();
    for (const pattern of p.workspaces) for await (const d of new Bun.Glob(pattern).scan({ onlyFiles: false, cwd: "." }))
      if (await Bun.file(`${d}/tsconfig.json`).exists()) console.log(d);' | sort -u
}

if wanted typecheck; then
  for ws in $(workspaces); do
    log="$log_dir/tsc-${ws//\//-}.log"
    (cd "$ws" && "$bin/tsc" --noEmit -p .) >"$log" 2>&1
    record "typecheck $ws" "$log" $? "fix the type errors above (cd $ws && $bin/tsc --noEmit -p .)"
  done
fi

if wanted lint; then
  log="$log_dir/lint.log"
  "$bin/biome" lint --error-on-warnings --max-diagnostics=100 . >"$log" 2>&1
  record lint "$log" $? "fix the findings above (biome lint --write applies the safe fixes)"
fi

if wanted format; then
  log="$log_dir/format.log"
  "$bin/biome" format --max-diagnostics=20 . >"$log" 2>&1
  record format "$log" $? "format the files above (biome format --write <file>)"
fi

if wanted deps; then
  log="$log_dir/deps.log"
  bun scripts/dependency-rules.ts >"$log" 2>&1
  record "dependency rules" "$log" $? "see each line above for the rule and why"
fi

echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
