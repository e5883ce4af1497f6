import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import * as oidc from "openid-client";
import { startServiceProcess, type ServiceProcess } from "@meridian/kit/testing";
import { launchBrowser, realmWithClientUrls, startTestDevIdp } from "../src/testing";
import type { RunningDevIdp } from "../src/server";
import { browserCodeFlow, discover, signInWithForm } from "./support";

/** The platform gateway (`bun gateway/src/main.ts`) trusting the dev IdP, in front of a loopback downstream. */
let spa: ReturnType<typeof Bun.serve>;
let downstream: ReturnType<typeof Bun.serve>;
let gateway: ServiceProcess | undefined;
let gatewayUrl: string;
let idp: RunningDevIdp;
let browser: Browser;
let dir: string;
const received: Array<{ method: string; path: string; authorization: string | null }> = [];

beforeAll(async () => {
  spa = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () => new Response("<title>spa</title>", { headers: { "content-type": "text/html" } }),
  });
  downstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req) => {
      received.push({ method: req.method, path: new URL(req.url).pathname, authorization: req.headers.get("authorization") });
      return Response.json({ ok: true });
    },
  });
  const spaOrigin = `http://localhost:${spa.port}`;
  idp = await startTestDevIdp(realmWithClientUrls("customer-spa", { redirectUris: [`${spaOrigin}/*`], webOrigins: [spaOrigin] }));

  dir = mkdtempSync(join(tmpdir(), "dev-idp-gateway-"));
  const downstreamHost = [{ Host: "127.0.0.1", Port: downstream.port }];
  const routes = join(dir, "ocelot.json");
  writeFileSync(
    routes,
    JSON.stringify({
      Routes: [
        {
          UpstreamPathTemplate: "/orders/{everything}",
          UpstreamHttpMethod: ["Get"],
          DownstreamPathTemplate: "/api/orders/{everything}",
          DownstreamScheme: "http",
          DownstreamHostAndPorts: downstreamHost,
          AuthenticationOptions: { AuthenticationProviderKey: "Keycloak", AllowedScopes: ["orders.read"] },
        },
        {
          UpstreamPathTemplate: "/inventory/{everything}",
          UpstreamHttpMethod: ["Post"],
          DownstreamPathTemplate: "/api/inventory/{everything}",
          DownstreamScheme: "http",
          DownstreamHostAndPorts: downstreamHost,
          AuthenticationOptions: { AuthenticationProviderKey: "Keycloak", AllowedScopes: ["inventory.write"] },
          RouteClaimsRequirement: { roles: "admin" },
        },
      ],
    }),
  );
  gateway = await startServiceProcess({
    entry: "gateway/src/main.ts",
    env: { LOG_LEVEL: "warn", GATEWAY_ROUTES: routes, OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: "meridian-api" },
    readyPath: "/health/live",
  });
  gatewayUrl = gateway.url;
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await idp?.stop();
  await spa?.stop(true);
  await downstream?.stop(true);
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 90_000);

describe("dev IdP tokens at the platform gateway", () => {
  test("when alice signs in through the browser, then the gateway accepts her token for orders.read and forwards it, but refuses an admin route", async () => {
    const config = await discover(idp.issuer, "customer-spa");
    const page = await browser.newPage();
    const tokens = await browserCodeFlow(page, {
      config,
      clientId: "customer-spa",
      redirectUri: `http://localhost:${spa.port}/callback`,
      scope: "openid orders.read orders.write inventory.read notifications.read",
      username: "alice",
      password: "alice-dev-password",
    });
    await page.close();

    const before = received.length;
    const ok = await fetch(`${gatewayUrl}/orders/mine`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(ok.status).toBe(200);
    expect(received[before]?.path).toBe("/api/orders/mine");
    expect(received[before]?.authorization).toBe(`Bearer ${tokens.access_token}`);

    const adminOnly = await fetch(`${gatewayUrl}/inventory/products`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(adminOnly.status).toBe(403);
    const anonymous = await fetch(`${gatewayUrl}/orders/mine`);
    expect(anonymous.status).toBe(401);
    expect(received.length).toBe(before + 1);
  }, 90_000);

  test("when ada signs in as admin-console, then the gateway lets her through the roles=admin route", async () => {
    const config = await discover(idp.issuer, "admin-console", "local-dev-only-admin-console-secret");
    const flow = await signInWithForm(config, {
      redirectUri: "http://localhost:5106/auth/callback",
      scope: "openid inventory.write",
      username: "ada",
      password: "ada-dev-password",
    });
    const tokens = await oidc.authorizationCodeGrant(config, flow.callbackUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
    });
    const res = await fetch(`${gatewayUrl}/inventory/products`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(received.at(-1)?.path).toBe("/api/inventory/products");
  }, 90_000);
});
