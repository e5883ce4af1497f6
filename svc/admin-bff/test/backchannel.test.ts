import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { launchBrowser } from "@meridian/dev-idp/testing";
import { OidcClient } from "../src/oidc";
import { adaSignedIn, ADMIN_SECRET, startHarness, type Harness } from "./harness";

/**
 * Compose-like wiring: the issuer is http://localhost:<port>/realms/meridian (what browsers and tokens say),
 * but the BFF reads discovery and keys through another address (OIDC_DISCOVERY_URL, OIDC_JWKS_URL).
 */
let h: Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness({ backchannel: true });
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await h?.stop();
}, 90_000);

describe("admin BFF with a separate discovery URL", () => {
  test("when discovery is read from another address, then sign-in and proxying still work against the one issuer", async () => {
    expect(h.idp.url).toStartWith("http://127.0.0.1:");
    expect(h.idp.issuer).toStartWith("http://localhost:");
    const login = await fetch(`${h.publicUrl}/auth/login`, { redirect: "manual" });
    expect(login.headers.get("location")).toStartWith(`${h.idp.url}/realms/meridian/protocol/openid-connect/auth?`);

    const { context, page } = await adaSignedIn(browser, h);
    expect(JSON.parse((await page.textContent("body")) ?? "{}").username).toBe("ada");
    const status = await page.evaluate(async () => (await fetch("/api/audit/events")).status);
    expect(status).toBe(200);
    const token = (h.received.at(-1)?.headers.authorization ?? "").slice(7);
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    expect(payload.iss).toBe(h.idp.issuer);
    await context.close();
  }, 90_000);

  test("when the discovery document names another issuer, then the BFF's OIDC client refuses it", async () => {
    const oidc = new OidcClient({
      issuer: "http://localhost:1/realms/meridian",
      discoveryUrl: `${h.idp.url}/realms/meridian/.well-known/openid-configuration`,
      clientId: "admin-console",
      clientSecret: ADMIN_SECRET,
      audience: "meridian-api",
      scopes: "openid",
      redirectUri: `${h.publicUrl}/auth/callback`,
    });
    const error = await oidc.config().catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`names issuer ${h.idp.issuer}, expected http://localhost:1/realms/meridian`);
  }, 90_000);
});
