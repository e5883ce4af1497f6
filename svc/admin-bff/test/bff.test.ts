import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createTokenVerifier } from "@meridian/kit/auth";
import { launchBrowser, signInOnLoginPage } from "@meridian/dev-idp/testing";
import { ADMIN_SECRET, startHarness, type Harness } from "./harness";

let h: Harness;
let browser: Browser;

/** Every response body and header the browser received, to prove the client secret never reaches it. */
interface Seen {
  texts: string[];
}

async function newContext(): Promise<{ context: BrowserContext; page: Page; seen: Seen }> {
  const context = await browser.newContext();
  const seen: Seen = { texts: [] };
  context.on("response", async (response) => {
    const headers = JSON.stringify(await response.allHeaders());
    let body = "";
    if (response.status() < 300 || response.status() >= 400) body = await response.text().catch(() => "");
    seen.texts.push(`${response.url()}\n${headers}\n${body}`);
  });
  return { context, page: await context.newPage(), seen };
}

async function signIn(page: Page, username: string, returnTo = "/auth/me"): Promise<void> {
  await page.goto(`${h.publicUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  await signInOnLoginPage(page, username, `${username}-dev-password`);
}

async function me(page: Page): Promise<{ status: number; body: { username?: string; roles?: string[]; csrfToken?: string } }> {
  return page.evaluate(async () => {
    const res = await fetch("/auth/me", { headers: { accept: "application/json" } });
    return { status: res.status, body: (await res.json()) as { username?: string; roles?: string[]; csrfToken?: string } };
  });
}

beforeAll(async () => {
  h = await startHarness();
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await h?.stop();
}, 90_000);

describe("admin BFF", () => {
  test("when ada signs in through the browser, then she gets an httpOnly SameSite session cookie, /auth/me shows her, and a new sign-in renews the session id", async () => {
    const { context, page, seen } = await newContext();
    await signIn(page, "ada");
    await page.waitForURL(`${h.publicUrl}/auth/me`, { timeout: 20_000 });
    const shown = JSON.parse((await page.textContent("body")) ?? "{}");
    expect(shown.username).toBe("ada");
    expect(shown.roles).toContain("admin");
    expect(shown.csrfToken).toBeString();

    const cookies = await context.cookies(h.publicUrl);
    const session = cookies.find((c) => c.name === "meridian_admin_session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Lax");
    expect(session?.path).toBe("/");
    const csrf = cookies.find((c) => c.name === "meridian_admin_csrf");
    expect(csrf?.httpOnly).toBe(false);
    expect(csrf?.value).toBe(shown.csrfToken);
    // Tokens stay server-side: the browser holds only an opaque id, and Redis stores its hash under bff:.
    expect(cookies.some((c) => c.value.split(".").length === 3)).toBe(false);
    const keys = await h.redis.keys("bff:session:*");
    expect(keys.some((k) => k.includes(session?.value ?? "?"))).toBe(false);
    const stored = await Promise.all(keys.map((k) => h.redis.get(k)));
    const mine = stored.map((s) => JSON.parse(s ?? "{}")).find((s) => s.csrfToken === shown.csrfToken);
    expect(mine?.username).toBe("ada");
    expect(mine?.accessToken.split(".")).toHaveLength(3);
    const key = keys[stored.findIndex((s) => s?.includes(shown.csrfToken))] as string;
    expect(await h.redis.ttl(key)).toBeGreaterThan(0);

    expect(seen.texts.length).toBeGreaterThan(3);
    expect(seen.texts.some((t) => t.includes(ADMIN_SECRET))).toBe(false);

    // Signing in again (single sign-on at the IdP) replaces the session id and ends the old session.
    await page.goto(`${h.publicUrl}/auth/login?returnTo=/auth/me`);
    await page.waitForURL(`${h.publicUrl}/auth/me`, { timeout: 20_000 });
    const renewed = (await context.cookies(h.publicUrl)).find((c) => c.name === "meridian_admin_session");
    expect(renewed?.value).not.toBe(session?.value);
    expect(await h.redis.exists(key)).toBe(0);
    await context.close();
  }, 90_000);

  test("when the admin app calls /api/*, then the downstream gets the access token as Bearer and none of the browser's cookies", async () => {
    const { context, page } = await newContext();
    await signIn(page, "ada");
    await page.waitForURL(`${h.publicUrl}/auth/me`, { timeout: 20_000 });
    const before = h.received.length;
    const answer = await page.evaluate(async () => {
      const res = await fetch("/api/inventory/products?limit=5", { headers: { accept: "application/json" } });
      return { status: res.status, body: await res.json() };
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: true, path: "/inventory/products" });
    const call = h.received[before];
    expect(call?.method).toBe("GET");
    expect(call?.path).toBe("/inventory/products");
    expect(call?.search).toBe("?limit=5");
    expect(call?.headers.cookie).toBeUndefined();
    const bearer = call?.headers.authorization ?? "";
    expect(bearer).toStartWith("Bearer ");
    const auth = await createTokenVerifier({ issuer: h.idp.issuer, audience: "meridian-api" }).verify(bearer.slice(7));
    expect(auth.claims.preferred_username).toBe("ada");
    expect(auth.roles).toContain("admin");
    expect(auth.claims.azp).toBe("admin-console");
    expect(auth.scopes).toEqual(expect.arrayContaining(["inventory.write", "audit.read"]));
    await context.close();
  }, 90_000);

  test("when an unsafe request lacks the CSRF header, then it is refused 403; with the header it goes through", async () => {
    const { context, page } = await newContext();
    await signIn(page, "ada");
    await page.waitForURL(`${h.publicUrl}/auth/me`, { timeout: 20_000 });
    const before = h.received.length;
    const refused = await page.evaluate(async () => {
      const res = await fetch("/api/inventory/products", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ sku: "SKU-1" }),
      });
      return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as { type: string } };
    });
    expect(refused.status).toBe(403);
    expect(refused.type).toContain("application/problem+json");
    expect(refused.body.type).toBe("https://meridian.dev/problems/csrf");
    expect(h.received.length).toBe(before);

    const wrong = await page.evaluate(async () => {
      const res = await fetch("/api/inventory/products", { method: "DELETE", headers: { "x-csrf-token": "guessed" } });
      return res.status;
    });
    expect(wrong).toBe(403);

    const { body: who } = await me(page);
    const accepted = await page.evaluate(async (csrf) => {
      const res = await fetch("/api/inventory/products", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({ sku: "SKU-1" }),
      });
      return res.status;
    }, who.csrfToken as string);
    expect(accepted).toBe(201);

    expect(h.received.at(-1)?.body).toBe(JSON.stringify({ sku: "SKU-1" }));
    expect(h.received.at(-1)?.headers["x-csrf-token"]).toBeUndefined();
    // The same cookies and token sent from a foreign origin (a cross-site form or script) are refused.
    const cookieHeader = (await context.cookies(h.publicUrl)).map((c) => `${c.name}=${c.value}`).join("; ");
    const foreign = await fetch(`${h.publicUrl}/api/inventory/products`, {
      method: "POST",
      headers: { cookie: cookieHeader, origin: "http://evil.test", "x-csrf-token": who.csrfToken as string },
      body: "{}",
    });
    expect(foreign.status).toBe(403);
    const sameOrigin = await fetch(`${h.publicUrl}/api/inventory/products`, {
      method: "POST",
      headers: { cookie: cookieHeader, origin: h.publicUrl, "x-csrf-token": who.csrfToken as string, "content-type": "application/json" },
      body: "{}",
    });
    expect(sameOrigin.status).toBe(201);
    await context.close();
  }, 90_000);

  test("when alice (a customer) signs in, then she lands on the admin app's refusal page, gets no session, and can sign out of the IdP from there", async () => {
    const { context, page, seen } = await newContext();
    const callback = page.waitForResponse((r) => r.url().startsWith(`${h.publicUrl}/auth/callback`), { timeout: 20_000 });
    await signIn(page, "alice");
    const response = await callback;
    expect(response.status()).toBe(303);
    expect(response.headers().location).toBe(`${h.publicUrl}/refused`);
    await page.waitForURL(`${h.publicUrl}/refused`, { timeout: 20_000 });
    const cookies = await context.cookies(`${h.publicUrl}/auth/me`);
    expect(cookies.find((c) => c.name === "meridian_admin_session")).toBeUndefined();
    const refusal = cookies.find((c) => c.name === "meridian_admin_refusal");
    expect(refusal?.httpOnly).toBe(true);
    expect(refusal?.path).toBe("/auth");

    // The app's refusal page asks /auth/me who was refused; the API stays closed.
    const who = (await me(page)) as { status: number; body: { username?: string; requiredRole?: string; type?: string } };
    expect(who.status).toBe(403);
    expect(who.body).toMatchObject({ username: "alice", requiredRole: "admin", type: "https://meridian.dev/problems/forbidden" });
    const api = await page.evaluate(async () => (await fetch("/api/orders")).status);
    expect(api).toBe(401);
    expect(seen.texts.some((t) => t.includes(ADMIN_SECRET))).toBe(false);

    // "Sign out and use another account": the BFF answers the IdP end-session URL for the refused account.
    const out = await page.evaluate(async () => {
      const res = await fetch("/auth/logout", { method: "POST", headers: { accept: "application/json" } });
      return (await res.json()) as { logoutUrl: string };
    });
    expect(out.logoutUrl).toStartWith(`${h.idp.issuer}/protocol/openid-connect/logout?`);
    expect((await me(page)).status).toBe(401);
    await page.goto(out.logoutUrl);
    await page.waitForURL(`${h.publicUrl}/**`, { timeout: 20_000 });
    await page.goto(`${h.publicUrl}/auth/login`);
    expect(await page.getByLabel("Password").isVisible()).toBe(true);
    await context.close();
  }, 90_000);

  test("when ada signs out with the CSRF header, then the Redis session is gone, cookies cleared, and the IdP session ends", async () => {
    const { context, page } = await newContext();
    await signIn(page, "ada");
    await page.waitForURL(`${h.publicUrl}/auth/me`, { timeout: 20_000 });
    const { body: who } = await me(page);
    const sessionId = (await context.cookies(h.publicUrl)).find((c) => c.name === "meridian_admin_session")?.value ?? "";
    const sessionKey = `bff:session:${createHash("sha256").update(sessionId).digest("base64url")}`;
    expect(await h.redis.exists(sessionKey)).toBe(1);
    const withoutCsrf = await page.evaluate(async () => (await fetch("/auth/logout", { method: "POST" })).status);
    expect(withoutCsrf).toBe(403);

    const out = await page.evaluate(async (csrf) => {
      const res = await fetch("/auth/logout", { method: "POST", headers: { "x-csrf-token": csrf, accept: "application/json" } });
      return { status: res.status, body: (await res.json()) as { logoutUrl: string } };
    }, who.csrfToken as string);
    expect(out.status).toBe(200);
    expect(out.body.logoutUrl).toStartWith(`${h.idp.issuer}/protocol/openid-connect/logout?`);
    expect(await h.redis.exists(sessionKey)).toBe(0);
    expect((await me(page)).status).toBe(401);
    expect((await context.cookies(h.publicUrl)).find((c) => c.name === "meridian_admin_session")).toBeUndefined();

    await page.goto(out.body.logoutUrl);
    await page.waitForURL(`${h.publicUrl}/`, { timeout: 20_000 });
    await page.goto(`${h.publicUrl}/auth/login`);
    expect(await page.getByLabel("Password").isVisible()).toBe(true);
    await context.close();
  }, 90_000);

  test("when requests come without a session or with forged sign-in parameters, then they are refused", async () => {
    const noSession = await fetch(`${h.publicUrl}/api/orders`);
    expect(noSession.status).toBe(401);
    expect(noSession.headers.get("content-type")).toContain("application/problem+json");
    expect(((await noSession.json()) as { loginUrl: string }).loginUrl).toBe("/auth/login");

    const forged = await fetch(`${h.publicUrl}/auth/callback?state=made-up&code=made-up`, { redirect: "manual" });
    expect(forged.status).toBe(400);
    expect(forged.headers.get("set-cookie")).toBeNull();

    const openRedirect = await fetch(`${h.publicUrl}/auth/login?returnTo=//evil.test/`, { redirect: "manual" });
    expect(openRedirect.status).toBe(400);
    expect(((await openRedirect.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toContain("returnTo");

    const login = await fetch(`${h.publicUrl}/auth/login`, { redirect: "manual" });
    expect(login.status).toBe(303);
    const location = new URL(login.headers.get("location") ?? "");
    expect(location.href).toStartWith(`${h.idp.issuer}/protocol/openid-connect/auth?`);
    expect(location.searchParams.get("client_id")).toBe("admin-console");
    expect(location.searchParams.get("code_challenge_method")).toBe("S256");
    expect(location.href).not.toContain(ADMIN_SECRET);
    expect(login.headers.get("set-cookie")).toContain("HttpOnly");
  }, 90_000);
});
