import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { Elysia } from "elysia";
import { createHttpApp, createLogger, serve, type RunningServer } from "../../src";
import { authPlugin, createTokenVerifier, hasRole, type AuthContext } from "../../src/auth";
import { startTestIssuer, tamperToken, type TestIssuer } from "../../src/testing/issuer";

// Real loopback servers: allow more than bun's 5 s default (bunfig.toml has no test timeout setting).
setDefaultTimeout(30_000);

let idp: TestIssuer;
let server: RunningServer;

beforeAll(async () => {
  idp = await startTestIssuer();
  const verifier = createTokenVerifier({ issuer: idp.issuer, audience: "meridian-api" });
  const routes = new Elysia()
    .get("/api/public", () => ({ ok: true }))
    .use(authPlugin(verifier))
    .get("/api/me", ({ auth }: { auth: AuthContext }) => ({ sub: auth.sub, scopes: auth.scopes, roles: auth.roles }))
    .get("/api/orders", ({ auth }) => ({ sub: auth.sub, admin: hasRole(auth, "admin") }), { scopes: ["orders.read"] })
    .get("/api/admin", () => ({ ok: true }), { scopes: ["audit.read"], roles: ["admin"] });
  const logger = createLogger({ service: "auth-test", version: "0", level: "silent" });
  const app = createHttpApp({ service: "auth-test", version: "0", logger }).use(routes);
  server = await serve(app, { port: 0, logger, handleSignals: false });
});

afterAll(async () => {
  await server.stop();
  await idp.stop();
});

function get(path: string, token?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    headers: token ? { authorization: `Bearer ${token}`, ...headers } : headers,
  });
}

describe("authPlugin", () => {
  test("when a route is registered before the plugin, then it needs no token", async () => {
    const res = await get("/api/public");
    expect(res.status).toBe(200);
  });

  test("when no token is sent, then 401 problem+json with a Bearer challenge", async () => {
    const res = await get("/api/me");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
    const body = (await res.json()) as { status: number; type: string };
    expect(body.status).toBe(401);
    expect(body.type).toContain("unauthorized");
  });

  test("when the Authorization header uses another scheme, then 401 invalid_token", async () => {
    const res = await get("/api/me", undefined, { authorization: "Basic YWxpY2U6c2VjcmV0" });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  test("when a valid token is sent, then the handler sees sub, scopes and roles", async () => {
    const token = await idp.token({ sub: "alice", scopes: ["orders.read"], roles: ["customer"] });
    const res = await get("/api/me", token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: "alice", scopes: ["orders.read"], roles: ["customer"] });
  });

  test("when the token is tampered, then 401 with error=invalid_token", async () => {
    const token = tamperToken(await idp.token({ roles: ["customer"] }), { roles: ["admin"] });
    const res = await get("/api/me", token);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  test("when the token is expired, then 401", async () => {
    const res = await get("/api/me", await idp.token({ expiresInSec: -3600 }));
    expect(res.status).toBe(401);
  });

  test("when the route requires a scope the token lacks, then 403 problem+json", async () => {
    const res = await get("/api/orders", await idp.token({ scopes: ["inventory.read"] }));
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
  });

  test("when the route requires a scope the token has, then 200", async () => {
    const res = await get("/api/orders", await idp.token({ sub: "bob", scopes: ["orders.read"] }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: "bob", admin: false });
  });

  test("when the route requires role admin and the caller is a customer, then 403", async () => {
    const res = await get("/api/admin", await idp.token({ scopes: ["audit.read"], roles: ["customer"] }));
    expect(res.status).toBe(403);
  });

  test("when the route requires role admin and realm_access carries it, then 200", async () => {
    const token = await idp.token({ scopes: ["audit.read"], omitClaims: ["roles"], claims: { realm_access: { roles: ["admin"] } } });
    const res = await get("/api/admin", token);
    expect(res.status).toBe(200);
  });

  // Issue 16 item 3: query strings end up in logs and browser history, so no route takes a token from one.
  for (const path of ["/api/me", "/api/orders"])
    test(`when a valid token comes only in the query (access_token) of ${path}, then 401 problem+json; in the Authorization header, then 200`, async () => {
      const token = await idp.token({ sub: "carol", scopes: ["orders.read"] });
      for (const param of ["access_token", "token", "bearer"]) {
        const res = await get(`${path}?${param}=${encodeURIComponent(token)}`, undefined, { accept: "text/event-stream" });
        expect(res.status).toBe(401);
        expect(res.headers.get("content-type")).toContain("application/problem+json");
        expect(res.headers.get("www-authenticate")).toContain("Bearer");
      }
      const withHeader = await get(`${path}?access_token=${encodeURIComponent(token)}`, token);
      expect(withHeader.status).toBe(200);
      expect(((await withHeader.json()) as { sub: string }).sub).toBe("carol");
    });

  test("when health endpoints are called without a token, then they still answer", async () => {
    const res = await get("/health/live");
    expect(res.status).toBe(200);
  });
});
