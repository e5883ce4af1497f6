import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { createTokenVerifier } from "@meridian/kit/auth";
import { launchBrowser } from "@meridian/dev-idp/testing";
import { adaSignedIn, startHarness, type Harness } from "./harness";

/** Access tokens here live 30 s, inside the BFF's 60 s refresh margin: every proxied call must refresh first. */
let h: Harness;
let browser: Browser;

beforeAll(async () => {
  h = await startHarness({ accessTokenLifespan: 30 });
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await h?.stop();
}, 90_000);

function jti(authorization: string | undefined): string {
  const payload = (authorization ?? "").slice("Bearer ".length).split(".")[1] ?? "";
  return String(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")).jti);
}

describe("admin BFF token refresh", () => {
  test("when the access token is near expiry, then the BFF refreshes it before proxying, also under concurrent calls", async () => {
    const { context, page } = await adaSignedIn(browser, h);

    const before = h.received.length;
    const statuses = await page.evaluate(async () => {
      const one = (await fetch("/api/orders/a")).status;
      const two = (await fetch("/api/orders/b")).status;
      const parallel = await Promise.all([1, 2, 3, 4].map(async (i) => (await fetch(`/api/orders/p${i}`)).status));
      return [one, two, ...parallel];
    });
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const calls = h.received.slice(before);
    expect(calls).toHaveLength(6);

    // Sequential calls each carried a freshly refreshed token.
    expect(jti(calls[0]?.headers.authorization)).not.toBe(jti(calls[1]?.headers.authorization));
    const verifier = createTokenVerifier({ issuer: h.idp.issuer, audience: "meridian-api" });
    for (const call of calls) {
      const auth = await verifier.verify((call.headers.authorization ?? "").slice(7));
      expect(auth.claims.preferred_username).toBe("ada");
    }
    // The session in Redis holds the latest token.
    const keys = await h.redis.keys("bff:session:*");
    const sessions = (await Promise.all(keys.map((k) => h.redis.get(k)))).map((s) => JSON.parse(s ?? "{}"));
    const used = new Set(calls.map((c) => c.headers.authorization?.slice(7)));
    expect(sessions.some((s) => s.username === "ada" && used.has(s.accessToken))).toBe(true);
    await context.close();
  }, 90_000);
});
