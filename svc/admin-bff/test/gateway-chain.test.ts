import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { REPO_ROOT, waitFor } from "@meridian/kit/testing";
import { launchBrowser, signInOnLoginPage } from "@meridian/dev-idp/testing";
import { startHarness, type Harness } from "./harness";

/** Browser → BFF → the platform gateway (`bun gateway/src/main.ts`) → a loopback downstream. */
let h: Harness;
let browser: Browser;
let gateway: ReturnType<typeof Bun.spawn> | undefined;
let downstream: ReturnType<typeof Bun.serve>;
let dir: string;
const received: Array<{ method: string; path: string; authorization: string | null; body: string }> = [];

beforeAll(async () => {
  downstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      received.push({ method: req.method, path: new URL(req.url).pathname, authorization: req.headers.get("authorization"), body: await req.text() });
      return Response.json({ accepted: true }, { status: 201 });
    },
  });
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const gatewayPort = probe.port as number;
  await probe.stop(true);
  h = await startHarness({ gatewayUrl: `http://127.0.0.1:${gatewayPort}` });

  dir = mkdtempSync(join(tmpdir(), "admin-bff-gateway-"));
  const routes = join(dir, "ocelot.json");
  writeFileSync(
    routes,
    JSON.stringify({
      Routes: [
        {
          UpstreamPathTemplate: "/inventory/{everything}",
          UpstreamHttpMethod: ["Post"],
          DownstreamPathTemplate: "/api/inventory/{everything}",
          DownstreamScheme: "http",
          DownstreamHostAndPorts: [{ Host: "127.0.0.1", Port: downstream.port }],
          AuthenticationOptions: { AuthenticationProviderKey: "Keycloak", AllowedScopes: ["inventory.write"] },
          RouteClaimsRequirement: { roles: "admin" },
        },
      ],
    }),
  );
  const child = Bun.spawn(["bun", resolve(REPO_ROOT, "gateway/src/main.ts")], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(gatewayPort),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      GATEWAY_ROUTES: routes,
      OIDC_ISSUER: h.idp.issuer,
      OIDC_AUDIENCE: "meridian-api",
    },
    stdout: "ignore",
    stderr: "pipe",
  });
  gateway = child;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${await new Response(child.stderr).text()}`);
      return (await fetch(`http://127.0.0.1:${gatewayPort}/health/live`).catch(() => undefined))?.ok;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: "the gateway to listen" },
  );
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (gateway && gateway.exitCode === null) {
    gateway.kill("SIGTERM");
    await gateway.exited;
  }
  await h?.stop();
  await downstream?.stop(true);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 90_000);

describe("admin BFF through the platform gateway", () => {
  test("when ada posts through the BFF with the CSRF token, then the gateway accepts her bearer token on a roles=admin route", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${h.publicUrl}/auth/login?returnTo=/auth/me`);
    await signInOnLoginPage(page, "ada", "ada-dev-password");
    await page.waitForURL(`${h.publicUrl}/auth/me`, { timeout: 20_000 });
    const csrf = JSON.parse((await page.textContent("body")) ?? "{}").csrfToken as string;

    const result = await page.evaluate(async (token) => {
      const res = await fetch("/api/inventory/adjustments", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": token },
        body: JSON.stringify({ sku: "SKU-1", delta: 3 }),
      });
      return { status: res.status, body: await res.json() };
    }, csrf);
    expect(result).toEqual({ status: 201, body: { accepted: true } });
    const call = received.at(-1);
    expect(call?.path).toBe("/api/inventory/adjustments");
    expect(call?.authorization).toStartWith("Bearer ey");
    expect(call?.body).toBe(JSON.stringify({ sku: "SKU-1", delta: 3 }));
    await context.close();
  }, 90_000);
});
