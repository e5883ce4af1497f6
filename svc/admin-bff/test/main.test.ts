import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import { freePort, TEST_REDIS_URL, waitFor } from "@meridian/kit/testing";
import { loadRealm, type RunningDevIdp } from "@meridian/dev-idp";
import { startTestDevIdp } from "@meridian/dev-idp/testing";

const MAIN = resolve(import.meta.dir, "../src/main.ts");
let idp: RunningDevIdp;

beforeAll(async () => {
  idp = await startTestDevIdp(loadRealm());
}, 90_000);
afterAll(async () => {
  await idp?.stop();
}, 90_000);

describe("admin BFF process", () => {
  test("when ADMIN_CLIENT_SECRET is missing, then it exits 1 with one line naming the variable", async () => {
    const env: Record<string, string | undefined> = { ...process.env, PORT: "0" };
    delete env.ADMIN_CLIENT_SECRET;
    const child = Bun.spawn(["bun", MAIN], { env, stdout: "pipe", stderr: "pipe" });
    expect(await child.exited).toBe(1);
    const err = (await new Response(child.stderr).text()).trim();
    expect(err.split("\n").filter((l) => l.includes("config error"))).toHaveLength(1);
    expect(err).toContain("ADMIN_CLIENT_SECRET");
  }, 90_000);

  test("when started with `bun src/main.ts`, then readiness reports Redis and the identity provider up, and SIGTERM exits 0", async () => {
    const port = await freePort();
    const child = Bun.spawn(["bun", MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        OIDC_ISSUER: idp.issuer,
        ADMIN_CLIENT_SECRET: "local-dev-only-admin-console-secret",
        BFF_PUBLIC_URL: `http://localhost:${port}`,
        REDIS_URL: TEST_REDIS_URL,
      },
      stdout: "ignore",
      stderr: "pipe",
    });
    try {
      const report = await waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${await new Response(child.stderr).text()}`);
          const res = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
          return res?.ok ? ((await res.json()) as { status: string; checks: Array<{ name: string; status: string }> }) : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 100, what: "BFF readiness" },
      );
      expect(report.status).toBe("up");
      expect(report.checks.map((c) => [c.name, c.status]).sort()).toEqual([
        ["identity-provider", "up"],
        ["redis", "up"],
      ]);
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 90_000);
});
