import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import * as oidc from "openid-client";
import { createTokenVerifier } from "@meridian/kit/auth";
import { launchBrowser, realmWithClientUrls, signInOnLoginPage, startTestDevIdp } from "../src/testing";
import type { RunningDevIdp } from "../src/server";
import { decodeJwt, discover } from "./support";

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
});

afterAll(async () => {
  await browser?.close();
  await idp?.stop();
  spa?.stop(true);
});

describe("dev IdP in a real browser", () => {
  test("when alice signs in through the login page, then the SPA's code exchange yields a token the kit verifier accepts, and sign-out ends the session", async () => {
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
      return { verifier, state };
    };

    const first = await authorize();
    expect(await page.title()).toBe("Sign in to Meridian");
    await signInOnLoginPage(page, "alice", "alice-dev-password");
    await page.waitForURL(`${spaOrigin}/callback?**`, { timeout: 20_000 });
    const callback = new URL(page.url());
    expect(callback.searchParams.get("state")).toBe(first.state);
    expect(callback.searchParams.get("iss")).toBe(idp.issuer);

    // The exchange runs in the page (origin = the SPA), so it also proves the CORS answer for the web origin.
    const tokenEndpoint = config.serverMetadata().token_endpoint as string;
    const tokens = (await page.evaluate(
      async ({ tokenEndpoint, code, verifier, redirectUri }) => {
        const res = await fetch(tokenEndpoint, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "authorization_code",
            client_id: "customer-spa",
            code,
            code_verifier: verifier,
            redirect_uri: redirectUri,
          }).toString(),
        });
        return { status: res.status, body: await res.json() };
      },
      {
        tokenEndpoint,
        code: callback.searchParams.get("code") ?? "",
        verifier: first.verifier,
        redirectUri: `${spaOrigin}/callback`,
      },
    )) as { status: number; body: { access_token: string; id_token: string; refresh_token: string } };
    expect(tokens.status).toBe(200);

    const auth = await createTokenVerifier({ issuer: idp.issuer, audience: "meridian-api" }).verify(tokens.body.access_token);
    expect(auth.claims.preferred_username).toBe("alice");
    expect(auth.roles).toEqual(["customer"]);
    expect(auth.scopes).toEqual(expect.arrayContaining(["orders.read", "orders.write", "inventory.read", "notifications.read"]));
    expect(auth.claims.azp).toBe("customer-spa");
    expect(decodeJwt(tokens.body.access_token).payload.realm_access).toEqual({ roles: ["customer"] });

    // Single sign-on: a second authorization request goes straight back with a code.
    await authorize();
    await page.waitForURL(`${spaOrigin}/callback?**`, { timeout: 20_000 });
    expect(new URL(page.url()).searchParams.get("code")).toBeString();

    // RP-initiated logout with id_token_hint: no question asked, back to the SPA.
    const logout = new URL(config.serverMetadata().end_session_endpoint as string);
    logout.search = new URLSearchParams({
      id_token_hint: tokens.body.id_token,
      post_logout_redirect_uri: `${spaOrigin}/signed-out`,
    }).toString();
    await page.goto(logout.href);
    await page.waitForURL(`${spaOrigin}/signed-out`, { timeout: 20_000 });

    // The session is gone: the next authorization request shows the login page again.
    await authorize();
    expect(await page.getByLabel("Password").isVisible()).toBe(true);
    await page.close();
  });
});
