import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { freePort, startServiceProcess, type ServiceProcess } from "@meridian/kit/testing";
import { launchBrowser } from "@meridian/dev-idp/testing";
import { adaSignedIn, startHarness, type Harness } from "./harness";

/** Browser → BFF → the platform gateway (`bun gateway/src/main.ts`) → a loopback downstream. */
let h: Harness;
let browser: Browser;
let gateway: ServiceProcess | undefined;
let downstream: ReturnType<typeof Bun.serve>;
let dir: string;
const received: Array<{ method: string; path: string; authorization: string | null; body: string }> = [];

beforeAll(async () => {
  downstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      received.push({
        method: req.method,
        path: new URL(req.url).pathname,
        authorization: req.headers.get("authorization"),
        body: await req.text(),
      });
      return Response.json({ accepted: true }, { status: 201 });
    },
  });
  const gatewayPort = await freePort();
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
  gateway = await startServiceProcess({
    entry: "gateway/src/main.ts",
    port: gatewayPort,
    env: { LOG_LEVEL: "warn", GATEWAY_ROUTES: routes, OIDC_ISSUER: h.idp.issuer, OIDC_AUDIENCE: "meridian-api" },
    readyPath: "/health/live",
  });
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await h?.stop();
  await downstream?.stop(true);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 90_000);

describe("admin BFF through the platform gateway", () => {
  test("when ada posts through the BFF with the CSRF token, then the gateway accepts her bearer token on a roles=admin route", async () => {
    const { context, page } = await adaSignedIn(browser, h);
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
