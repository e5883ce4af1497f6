/**
 * returnTo after a real sign-in: whatever encoding a hostile link uses, the browser ends up on the admin
 * app's own origin (or the sign-in is refused up front). Each corpus entry is the raw query value, so the
 * percent-encoding is exactly what an attacker's link would carry.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { APIRequestContext, Browser, BrowserContext } from "playwright-core";
import { launchBrowser } from "@meridian/dev-idp/testing";
import { adaSignedIn, startHarness, type Harness } from "./harness";

/** Raw `returnTo=` values (already percent-encoded as they would appear in a link). */
const HOSTILE = [
  "/%09/evil.example/x", // tab dropped by the URL parser → //evil.example/x
  "/%0A/evil.example/x",
  "/%0D/evil.example/x",
  "/%0D%0A/evil.example/x",
  "/%09%09/%09/evil.example",
  "/%09%5Cevil.example", // tab + backslash → /\evil.example → //evil.example
  "/%0A%5C%5Cevil.example",
  "/%09/user:pass@evil.example/",
  "/%09/localhost@evil.example/",
  "/%00/evil.example",
  "/%0B/evil.example",
  "/%7F/evil.example",
  "/%C2%85/evil.example", // C1 next line
  "//evil.example/",
  "%2F%2Fevil.example/",
  "/%5Cevil.example",
  "/%5C%5Cevil.example",
  "%5C%5Cevil.example",
  "/\\evil.example",
  "https:evil.example",
  "https:%2F%2Fevil.example",
  "https://evil.example/",
  "javascript:alert(1)",
  "//user@evil.example/",
  "%09%2F%2Fevil.example",
] as const;

/** Odd but harmless: stays on the admin app (served as a path, or refused). */
const ODD_BUT_LOCAL = [
  "/%252F%252Fevil.example", // double-encoded slashes: the path /%2F%2Fevil.example on the app
  "/%25252F%25252Fevil.example",
  "/%252F%255Cevil.example",
  "/%EF%BC%8F%EF%BC%8Fevil.example", // fullwidth solidus
  "/%E3%80%82evil.example", // ideographic full stop
  "/%E2%80%AE/evil.example", // right-to-left override
  "/@evil.example",
  "/orders?next=//evil.example#//evil.example",
  "/./evil.example",
  "/orders/%2e%2e/%2e%2e/evil.example",
  "http:evil.example", // same scheme: relative to the app, a path
] as const;

let h: Harness;
let browser: Browser;
let context: BrowserContext;
let appOrigin: string;

type Outcome = { refusedAt: "login"; status: number; type: string } | { location: string };

/**
 * /auth/login with the raw returnTo, then the IdP (single sign-on: ada is signed in there), then the BFF's
 * callback: where does the callback send the browser?
 */
async function signInWith(request: APIRequestContext, rawReturnTo: string): Promise<Outcome> {
  const login = await request.get(`${h.publicUrl}/auth/login?returnTo=${rawReturnTo}`, { maxRedirects: 0 });
  if (login.status() !== 303) {
    return { refusedAt: "login", status: login.status(), type: login.headers()["content-type"] ?? "" };
  }
  const authorize = await request.get(login.headers().location ?? "", { maxRedirects: 0 });
  const callback = authorize.headers().location ?? "";
  expect(callback).toStartWith(`${h.publicUrl}/auth/callback?`);
  const landed = await request.get(callback, { maxRedirects: 0 });
  expect(landed.status()).toBe(303);
  return { location: landed.headers().location ?? "" };
}

beforeAll(async () => {
  h = await startHarness();
  appOrigin = new URL(h.publicUrl).origin;
  browser = await launchBrowser();
  ({ context } = await adaSignedIn(browser, h));
}, 90_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await h?.stop();
}, 90_000);

describe("returnTo after admin sign-in", () => {
  test("when a sign-in link carries a hostile returnTo (tabs, CR/LF, backslashes, encoded slashes, other schemes, userinfo), then the browser never leaves the admin app's origin", async () => {
    const escaped: string[] = [];
    for (const raw of HOSTILE) {
      const outcome = await signInWith(context.request, raw);
      if ("location" in outcome) {
        const target = new URL(outcome.location);
        if (target.origin !== appOrigin) escaped.push(`${raw} → ${outcome.location}`);
      } else {
        expect(outcome.status).toBe(400);
        expect(outcome.type).toContain("application/problem+json");
      }
    }
    expect(escaped).toEqual([]);
  }, 90_000);

  test("when returnTo holds a control character, then sign-in is refused with a 400 problem before the identity provider is asked", async () => {
    for (const raw of ["/%09/evil.example/x", "/%0D%0A/evil.example/x", "/%00/evil.example", "/%7F/evil.example", "/orders%09"]) {
      const outcome = await signInWith(context.request, raw);
      expect(outcome).toMatchObject({ refusedAt: "login", status: 400 });
    }
  }, 90_000);

  test("when returnTo is odd but local (double-encoded slashes, unicode look-alikes, userinfo-like paths), then the browser lands on the admin app", async () => {
    for (const raw of ODD_BUT_LOCAL) {
      const outcome = await signInWith(context.request, raw);
      if ("location" in outcome) expect(`${raw} → ${new URL(outcome.location).origin}`).toBe(`${raw} → ${appOrigin}`);
      else expect(outcome.status).toBe(400);
    }
  }, 90_000);

  test("when returnTo is an ordinary app path with a query, then the browser lands exactly there", async () => {
    const outcome = await signInWith(context.request, encodeURIComponent("/orders/o-1?tab=lines"));
    expect(outcome).toEqual({ location: `${h.publicUrl}/orders/o-1?tab=lines` });
  }, 90_000);
});
