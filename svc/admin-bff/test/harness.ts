/**
 * One BFF under test: a dev IdP whose admin-console client redirects to this BFF's port, a loopback
 * downstream standing in for the gateway (it records what it receives), real Redis, the BFF in-process.
 */
import Redis from "ioredis";
import { createLogger, type RunningServer } from "@meridian/kit";
import { freePort, TEST_REDIS_URL } from "@meridian/kit/testing";
import { loadRealm, type RunningDevIdp } from "@meridian/dev-idp";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { realmWithClientUrls, signInOnLoginPage, startTestDevIdp } from "@meridian/dev-idp/testing";
import { startBff } from "../src/app";
import { loadBffConfig } from "../src/config";

export const ADMIN_SECRET = "local-dev-only-admin-console-secret";

export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string>;
  body: string;
}

export interface Harness {
  publicUrl: string;
  idp: RunningDevIdp;
  redis: Redis;
  received: RecordedRequest[];
  stop(): Promise<void>;
}

export interface HarnessOptions {
  accessTokenLifespan?: number;
  gatewayUrl?: string;
  /** Read discovery and keys from http://127.0.0.1:<port> while the issuer stays http://localhost:<port> (compose-like). */
  backchannel?: boolean;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const port = await freePort();
  const publicUrl = `http://localhost:${port}`;
  const realm = realmWithClientUrls("admin-console", {
    redirectUris: [`${publicUrl}/auth/callback`],
    webOrigins: [publicUrl],
    postLogoutRedirectUris: [`${publicUrl}/*`],
  });
  if (options.accessTokenLifespan) realm.accessTokenLifespan = options.accessTokenLifespan;
  const idp = await startTestDevIdp(realm);

  const received: RecordedRequest[] = [];
  const downstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      const url = new URL(req.url);
      received.push({
        method: req.method,
        path: url.pathname,
        search: url.search,
        headers: Object.fromEntries(req.headers),
        body: await req.text(),
      });
      return Response.json({ ok: true, path: url.pathname }, { status: req.method === "POST" ? 201 : 200 });
    },
  });

  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 2 });
  const config = loadBffConfig({
    exit: false,
    env: {
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: process.env.BFF_TEST_LOG ? "info" : "silent",
      OIDC_ISSUER: idp.issuer,
      ADMIN_CLIENT_SECRET: ADMIN_SECRET,
      BFF_PUBLIC_URL: publicUrl,
      GATEWAY_URL: options.gatewayUrl ?? `http://127.0.0.1:${downstream.port}`,
      REDIS_URL: TEST_REDIS_URL,
      SESSION_TTL: "600",
      ...(options.backchannel
        ? {
            OIDC_DISCOVERY_URL: `${idp.url}/realms/meridian/.well-known/openid-configuration`,
            OIDC_JWKS_URL: `${idp.url}/realms/meridian/protocol/openid-connect/certs`,
          }
        : {}),
    },
  });
  const logger = createLogger({ service: "admin-bff", version: "test", level: config.LOG_LEVEL });
  const server: RunningServer = await startBff({ ...config, SHUTDOWN_GRACE_MS: 1000 }, { logger, redis });

  return {
    publicUrl,
    idp,
    redis,
    received,
    async stop() {
      await server.stop();
      await downstream.stop(true);
      await idp.stop();
      redis.disconnect();
    },
  };
}

/** A fresh browser context signed in to the BFF as ada (the realm's admin), left on /auth/me. */
export async function adaSignedIn(browser: Browser, h: Harness): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${h.publicUrl}/auth/login?returnTo=/auth/me`);
  await signInOnLoginPage(page, "ada", "ada-dev-password");
  await page.waitForURL(`${h.publicUrl}/auth/me`, { timeout: 20_000 });
  return { context, page };
}

export { loadRealm };
