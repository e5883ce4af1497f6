import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { type Bundle, bundleWorkspace } from "../bundle";

// Bundling a service takes seconds on a shared 2-core machine.
setDefaultTimeout(60_000);

const REPO_ROOT = resolve(import.meta.dir, "../..");
let out: string;
let orders: Bundle;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "meridian-bundle-"));
  orders = await bundleWorkspace(join(REPO_ROOT, "svc/orders"), join(out, "orders"));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The files a start loads: the entry and what it imports statically, transitively (not `import.meta.require`). */
function loadedAtStart(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const m of readFileSync(file, "utf8").matchAll(/^(?:import|export)\s[^;]*?from\s*"(\.\/[^"]+)"/gm))
      visit(join(dirname(file), m[1]!));
  };
  visit(entry);
  return seen;
}

describe("bundleWorkspace", () => {
  test("when orders is bundled, then its entry runs far from the sources and node_modules up to its configuration check", async () => {
    expect(basename(orders.entry)).toBe("main.js");
    expect(orders.files).toContain(orders.entry);
    // No DATABASE_URL: the process stops at the configuration check, after every module of the start has loaded.
    const child = Bun.spawn(["bun", orders.entry], { cwd: out, env: { PATH: process.env.PATH! }, stdout: "pipe", stderr: "pipe" });
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    expect(stderr).toContain("config error: DATABASE_URL is required");
    expect(code).toBe(1);
  });

  test("when orders is bundled, then the SQL Server driver is in a chunk loaded only on demand (ORDERS_STORE=mssql)", () => {
    const atStart = [...loadedAtStart(orders.entry)];
    const withDriver = orders.files.filter((f) => readFileSync(f, "utf8").includes("class MsSqlOrdersStore"));
    expect(withDriver).toHaveLength(1);
    expect(atStart).not.toContain(withDriver[0]);
    expect(atStart.some((f) => readFileSync(f, "utf8").includes("node_modules/.bun/tedious@"))).toBe(false);
  });

  test("when an import of the workspace does not resolve, then bundling fails naming the workspace and the import", async () => {
    const ws = join(out, "broken");
    mkdirSync(join(ws, "src"), { recursive: true });
    writeFileSync(join(ws, "src/main.ts"), 'import { missing } from "no-such-package";\nconsole.log(missing);\n');
    const error = await bundleWorkspace(ws, join(out, "broken-out")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).message).toContain(ws);
    expect((error as AggregateError).errors.map(String).join("\n")).toContain("no-such-package");
    const cli = Bun.spawnSync(["bun", join(REPO_ROOT, "scripts/bundle.ts"), ws, join(out, "broken-cli")], { stderr: "pipe" });
    expect(cli.exitCode).toBe(1);
    expect(cli.stderr.toString()).toContain("no-such-package");
  });
});
