import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import * as oidc from "openid-client";
import { createTokenVerifier } from "@meridian/kit/auth";
import { launchBrowser, realmWithClientUrls, startTestDevIdp } from "../src/testing";
import type { RunningDevIdp } from "../src/server";
import { browserCodeFlow, decodeJwt, discover } from "./support";

/**
 * A stand-in for the customer SPA on a loopback port: its /callback page is where the IdP sends the browser,
 * and the code exchange then runs inside that page with fetch, as the SPA does (CORS from the SPA's origin).
 */
let spa: ReturnType<typeof Bun.serve>;
let spaOrigin: string;
let idp: RunningDevIdp;
let browser: Browser;

beforeAll(async () => {
  spa = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: (req) => {
      const path = new URL(req.url).pathname;
      return new Response(`<!DOCTYPE html><title>spa</title><h1 id="where">${path}</h1>`, {
        headers: { "content-type": "text/html" },
      });
    },
  });
  spaOrigin = `http://localhost:${spa.port}`;
  idp = await startTestDevIdp(
    realmWithClientUrls("customer-spa", {
      redirectUris: [`${spaOrigin}/*`],
      webOrigins: [spaOrigin],
      postLogoutRedirectUris: [`${spaOrigin}/*`],
    }),
  );
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await idp?.stop();
  spa?.stop(true);
}, 90_000);

describe("dev IdP in a real browser", () => {
  test("when alice signs in through the login page, then the SPA's in-page code exchange yields a token the kit verifier accepts, and sign-out ends the session", async () => {
    const config = await discover(idp.issuer, "customer-spa");
    const page = await browser.newPage();
    const authorize = async () => {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${spaOrigin}/callback`,
        scope: "openid orders.read orders.write inventory.read notifications.read",
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state,
      });
      await page.goto(url.href);
    };

    const tokens = await browserCodeFlow(page, {
      config,
      clientId: "customer-spa",
      redirectUri: `${spaOrigin}/callback`,
      scope: "openid orders.read orders.write inventory.read notifications.read",
      username: "alice",
      password: "alice-dev-password",
    });
    expect(await page.title()).toBe("spa");

    const auth = await createTokenVerifier({ issuer: idp.issuer, audience: "meridian-api" }).verify(tokens.access_token);
    expect(auth.claims.preferred_username).toBe("alice");
    expect(auth.roles).toEqual(["customer"]);
    expect(auth.scopes).toEqual(expect.arrayContaining(["orders.read", "orders.write", "inventory.read", "notifications.read"]));
    expect(auth.claims.azp).toBe("customer-spa");
    expect(decodeJwt(tokens.access_token).payload.realm_access).toEqual({ roles: ["customer"] });

    // Single sign-on: a second authorization request goes straight back with a code.
    await authorize();
    await page.waitForURL(`${spaOrigin}/callback?**`, { timeout: 20_000 });
    expect(new URL(page.url()).searchParams.get("code")).toBeString();

    // RP-initiated logout with id_token_hint: no question asked, back to the SPA.
    const logout = new URL(config.serverMetadata().end_session_endpoint as string);
    logout.search = new URLSearchParams({
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: `${spaOrigin}/signed-out`,
    }).toString();
    await page.goto(logout.href);
    await page.waitForURL(`${spaOrigin}/signed-out`, { timeout: 20_000 });

    // The session is gone: the next authorization request shows the login page again.
    await authorize();
    expect(await page.getByLabel("Password").isVisible()).toBe(true);
    await page.close();
  }, 90_000);
});
