import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as oidc from "openid-client";
import { createTokenVerifier } from "@meridian/kit/auth";
import { loadRealm } from "../src/realm";
import { realmWithClientUrls, startTestDevIdp } from "../src/testing";
import type { RunningDevIdp } from "../src/server";
import { CookieClient, decodeJwt, discover, signInWithForm } from "./support";

const SPA_CALLBACK = "http://localhost:4200/callback";
const BFF_CALLBACK = "http://localhost:5106/auth/callback";
const ADMIN_SECRET = "local-dev-only-admin-console-secret";

let idp: RunningDevIdp;

beforeAll(async () => {
  idp = await startTestDevIdp(loadRealm());
});
afterAll(async () => {
  await idp?.stop();
});

describe("dev IdP protocol", () => {
  test("when discovery is read, then the issuer is localhost:<port>/realms/meridian with Keycloak's endpoint paths", async () => {
    const res = await fetch(`${idp.url}/realms/meridian/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, string> & { code_challenge_methods_supported: string[] };
    expect(doc.issuer).toBe(`http://localhost:${idp.port}/realms/meridian`);
    expect(idp.issuer).toBe(doc.issuer as string);
    expect(doc.token_endpoint).toEndWith("/realms/meridian/protocol/openid-connect/token");
    expect(doc.jwks_uri).toEndWith("/realms/meridian/protocol/openid-connect/certs");
    expect(doc.end_session_endpoint).toEndWith("/realms/meridian/protocol/openid-connect/logout");
    expect(doc.code_challenge_methods_supported).toEqual(["S256"]);
  });

  test("when the health endpoints are called, then they answer up", async () => {
    for (const path of ["/health/live", "/health/ready"]) {
      const res = await fetch(`${idp.url}${path}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { status: string }).status).toBe("up");
    }
  });

  test("when customer-spa signs alice in with PKCE, then the access token is Keycloak-shaped and the kit verifier accepts it", async () => {
    const config = await discover(idp.issuer, "customer-spa");
    const flow = await signInWithForm(config, {
      redirectUri: SPA_CALLBACK,
      scope: "openid orders.read orders.write audit.read",
      username: "alice",
      password: "alice-dev-password",
    });
    expect(flow.callbackUrl.origin + flow.callbackUrl.pathname).toBe(SPA_CALLBACK);
    const tokens = await oidc.authorizationCodeGrant(config, flow.callbackUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
    });
    const { header, payload } = decodeJwt(tokens.access_token);
    expect(header.alg).toBe("RS256");
    expect(payload.iss).toBe(idp.issuer);
    expect(payload.aud).toBe("meridian-api");
    expect(payload.azp).toBe("customer-spa");
    expect(payload.preferred_username).toBe("alice");
    expect(payload.sub).toBe("0b6f2c39-6a0e-4c41-9f0e-3a1d6c2b7a11");
    expect(payload.realm_access).toEqual({ roles: ["customer"] });
    expect(payload.roles).toEqual(["customer"]);
    expect(typeof payload.exp).toBe("number");
    // Default scopes always, optional only when asked, and never one the client does not have (audit.read).
    expect(String(payload.scope).split(" ").sort()).toEqual(["email", "openid", "orders.read", "orders.write", "profile"]);
    expect(tokens.refresh_token).toBeString();

    const verifier = createTokenVerifier({ issuer: idp.issuer, audience: "meridian-api" });
    const auth = await verifier.verify(tokens.access_token);
    expect(auth.sub).toBe(payload.sub as string);
    expect(auth.roles).toEqual(["customer"]);
    expect(auth.scopes).toContain("orders.write");
    expect(auth.scopes).not.toContain("audit.read");
  });

  test("when the authorization request has no PKCE challenge, then customer-spa is refused", async () => {
    const client = new CookieClient();
    const url = new URL(`${idp.issuer}/protocol/openid-connect/auth`);
    url.search = new URLSearchParams({
      client_id: "customer-spa",
      response_type: "code",
      redirect_uri: SPA_CALLBACK,
      scope: "openid",
      state: "no-pkce",
    }).toString();
    const res = await client.request(url.href);
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.origin + location.pathname).toBe(SPA_CALLBACK);
    expect(location.searchParams.get("error")).toBe("invalid_request");
    expect(location.searchParams.get("error_description")).toContain("PKCE");
  });

  test("when the redirect URI is not registered for the client, then the IdP shows an error instead of redirecting", async () => {
    const url = new URL(`${idp.issuer}/protocol/openid-connect/auth`);
    url.search = new URLSearchParams({
      client_id: "customer-spa",
      response_type: "code",
      redirect_uri: "http://evil.invalid/callback",
      scope: "openid",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }).toString();
    const res = await fetch(url.href, { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("redirect_uri");
  });

  test("when a wrong password is submitted, then the login page says so and no code is issued", async () => {
    const config = await discover(idp.issuer, "customer-spa");
    const error = await signInWithForm(config, {
      redirectUri: SPA_CALLBACK,
      scope: "openid",
      username: "alice",
      password: "not-her-password",
    }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("login did not redirect back: 401");
  });

  test("when admin-console exchanges its code with the client secret, then ada gets every API scope and a refresh works", async () => {
    const config = await discover(idp.issuer, "admin-console", ADMIN_SECRET);
    const flow = await signInWithForm(config, {
      redirectUri: BFF_CALLBACK,
      scope: "openid orders.read orders.write inventory.read inventory.write notifications.read audit.read",
      username: "ada",
      password: "ada-dev-password",
    });
    const tokens = await oidc.authorizationCodeGrant(config, flow.callbackUrl, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
    });
    const first = decodeJwt(tokens.access_token).payload;
    expect(first.azp).toBe("admin-console");
    expect(first.roles).toEqual(["admin"]);
    expect(String(first.scope).split(" ")).toEqual(
      expect.arrayContaining(["orders.read", "orders.write", "inventory.read", "inventory.write", "notifications.read", "audit.read"]),
    );
    expect(tokens.claims()?.preferred_username).toBe("ada");

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string);
    const second = decodeJwt(refreshed.access_token).payload;
    expect(second.jti).not.toBe(first.jti);
    expect(second.sub).toBe(first.sub as string);
    expect(second.scope).toBe(first.scope as string);
    const auth = await createTokenVerifier({ issuer: idp.issuer, audience: "meridian-api" }).verify(refreshed.access_token);
    expect(auth.roles).toContain("admin");
  });

  test("when admin-console presents a wrong secret, then the token endpoint answers invalid_client", async () => {
    const good = await discover(idp.issuer, "admin-console", ADMIN_SECRET);
    const flow = await signInWithForm(good, {
      redirectUri: BFF_CALLBACK,
      scope: "openid",
      username: "ada",
      password: "ada-dev-password",
    });
    const res = await fetch(`${idp.issuer}/protocol/openid-connect/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from("admin-console:wrong-secret").toString("base64")}`,
      },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: flow.callbackUrl.searchParams.get("code") ?? "",
        redirect_uri: BFF_CALLBACK,
        code_verifier: flow.verifier,
      }).toString(),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_client");
  });

  test("when the realm names a client's redirect URIs, then the dev IdP uses exactly those (read from the realm file)", async () => {
    const custom = await startTestDevIdp(realmWithClientUrls("customer-spa", { redirectUris: ["http://localhost:4999/only-here"] }));
    try {
      const config = await discover(custom.issuer, "customer-spa");
      const refused = await signInWithForm(config, {
        redirectUri: SPA_CALLBACK,
        scope: "openid",
        username: "bob",
        password: "bob-dev-password",
      }).catch((e: Error) => e);
      expect((refused as Error).message).toContain("expected the login page, got 400");
      const flow = await signInWithForm(config, {
        redirectUri: "http://localhost:4999/only-here",
        scope: "openid",
        username: "bob",
        password: "bob-dev-password",
      });
      expect(flow.callbackUrl.pathname).toBe("/only-here");
      expect(flow.callbackUrl.searchParams.get("code")).toBeString();
    } finally {
      await custom.stop();
    }
  });
});
