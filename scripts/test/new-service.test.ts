/**
 * Scaffolds a service into a copy of the repository (its files, without node_modules; `bun install` links the
 * workspace from Bun's cache) and runs what a developer would: the new service's tests, its typecheck, the manifest
 * coverage tests and the dependency rules. The scaffold is green out of the box, or this fails naming the step.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const NAME = "loyalty-points";
let copy: string;

function run(cmd: string[], cwd: string, timeoutMs = 240_000): { code: number; output: string } {
  const result = Bun.spawnSync(cmd, {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    timeout: timeoutMs,
    env: { ...process.env, MERIDIAN_TEST_ROOT_CHILD: "1" },
  });
  return { code: result.exitCode ?? 1, output: `${result.stdout.toString()}${result.stderr.toString()}` };
}

/** Copies the repository's files (tracked and new, minus ignored ones and web/) into `target`. */
function copyRepository(target: string): void {
  const list = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT);
  const files = list.output.split("\0").filter((f) => f && !f.startsWith("web/"));
  const tar = Bun.spawnSync(["tar", "--null", "--ignore-failed-read", "-cf", "-", "-T", "-"], {
    cwd: ROOT,
    stdin: Buffer.from(files.join("\0")),
    stdout: "pipe",
    stderr: "ignore",
  });
  const untar = Bun.spawnSync(["tar", "-xf", "-", "-C", target], { stdin: tar.stdout, stderr: "pipe" });
  if (untar.exitCode !== 0) throw new Error(`copying the repository failed: ${untar.stderr.toString()}`);
}

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), "meridian-new-service-"));
  copyRepository(copy);
}, 120_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
}, 120_000);

describe("bun run new-service", () => {
  test("when a service is scaffolded, then its tests, typecheck, the coverage tests and the dependency rules pass", () => {
    const scaffold = run(["bun", "run", "new-service", NAME], copy);
    expect(scaffold.code, scaffold.output).toBe(0);

    const tests = run(["bun", "test", "test", "--timeout", "60000"], join(copy, "svc", NAME));
    expect(tests.code, `svc/${NAME}: bun test\n${tests.output}`).toBe(0);
    expect(tests.output).toMatch(/\b4 pass\b/);

    const types = run([join(copy, "node_modules/.bin/tsc"), "--noEmit", "-p", "."], join(copy, "svc", NAME));
    expect(types.code, `svc/${NAME}: tsc\n${types.output}`).toBe(0);

    const coverage = run(["bun", "test", "test/manifest-coverage.test.ts", "--timeout", "60000"], join(copy, "k8s"));
    expect(coverage.code, `manifest coverage\n${coverage.output}`).toBe(0);
    expect(coverage.output).toContain(`when ${NAME} is deployed with Helm`);

    const rules = run(["bun", "scripts/dependency-rules.ts"], copy);
    expect(rules.code, rules.output).toBe(0);
  }, 600_000);

  test("when the name is not kebab-case or the service exists, then it refuses and says why", () => {
    const bad = run(["bun", "scripts/new-service.ts", "Bad_Name"], copy);
    expect(bad.code).toBe(1);
    expect(bad.output).toContain("lower-case kebab-case");
    const existing = run(["bun", "scripts/new-service.ts", "orders"], copy);
    expect(existing.code).toBe(1);
    expect(existing.output).toContain("svc/orders exists already");
  });
});
