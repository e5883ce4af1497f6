/**
 * Authentication and authorization, checked against Ocelot's docs: docs/features/authentication.rst
 * (AuthenticationOptions, AllowedScopes), docs/features/authorization.rst (RouteClaimsRequirement),
 * docs/features/claimstransformation.rst (AddHeadersToRequest), docs/features/requestid.rst (RequestIdKey),
 * docs/features/errorcodes.rst (401, 403).
 */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { startTestIssuer, tamperToken, type TestIssuer } from "@meridian/kit/testing/issuer";
import { echoOf, route, startDownstream, startGateway, type Downstream, type TestGateway } from "./helpers";

// Real servers, circuit and rate-limit windows: more than bun's 5 s default (bunfig has no test timeout).
setDefaultTimeout(30_000);

let idp: TestIssuer;
let down: Downstream;
let gw: TestGateway;

beforeAll(async () => {
  idp = await startTestIssuer();
  down = startDownstream("svc");
  const keycloak = (scopes: string[]) => ({ AuthenticationProviderKey: "Keycloak", AllowedScopes: scopes });
  gw = await startGateway(
    {
      Routes: [
        route(down, {
          UpstreamPathTemplate: "/orders/{everything}",
          DownstreamPathTemplate: "/api/orders/{everything}",
          UpstreamHttpMethod: ["Get"],
          AuthenticationOptions: keycloak(["orders.read", "orders.admin"]),
        }),
        route(down, {
          UpstreamPathTemplate: "/inventory/{everything}",
          DownstreamPathTemplate: "/api/inventory/{everything}",
          UpstreamHttpMethod: ["Post"],
          AuthenticationOptions: keycloak(["inventory.write"]),
          RouteClaimsRequirement: { roles: "admin" },
        }),
        route(down, {
          UpstreamPathTemplate: "/users/{userId}/orders",
          DownstreamPathTemplate: "/api/users/{userId}/orders",
          AuthenticationOptions: keycloak([]),
          RouteClaimsRequirement: { sub: "{userId}" },
        }),
        route(down, {
          UpstreamPathTemplate: "/claims/{everything}",
          DownstreamPathTemplate: "/api/claims/{everything}",
          AuthenticationOptions: keycloak([]),
          AddHeadersToRequest: { CustomerId: "Claims[sub] > value", Tenant: "Claims[tenant] > value[1] > |" },
          AddQueriesToRequest: { customerId: "Claims[sub] > value" },
        }),
        route(down, {
          UpstreamPathTemplate: "/public/{everything}",
          DownstreamPathTemplate: "/api/public/{everything}",
          RequestIdKey: "OcRequestId",
        }),
        route(down, {
          UpstreamPathTemplate: "/notifications/sse",
          UpstreamHttpMethod: ["Get", "Post"],
          DownstreamPathTemplate: "/api/notifications/sse",
          Priority: 2,
          AuthenticationOptions: keycloak(["notifications.read"]),
        }),
        route(down, {
          UpstreamPathTemplate: "/notifications/{everything}",
          DownstreamPathTemplate: "/api/notifications/{everything}",
          AuthenticationOptions: keycloak(["notifications.read"]),
        }),
      ],
    },
    { issuer: idp.issuer, audience: "meridian-api" },
  );
});

afterAll(async () => {
  await gw.stop();
  await down.stop();
  await idp.stop();
});

describe("authentication [authentication.rst; errorcodes.rst › 401 if the authentication middleware runs and the user is not authenticated]", () => {
  const rejected: Array<{ name: string; token: () => Promise<string | undefined>; header?: string }> = [
    { name: "no token is sent", token: async () => undefined },
    { name: "the Authorization header is not Bearer", token: async () => undefined, header: "Basic YWxpY2U6cHc=" },
    { name: "the token expired", token: () => idp.token({ scopes: ["orders.read"], expiresInSec: -600 }) },
    { name: "the token is not yet valid", token: () => idp.token({ scopes: ["orders.read"], notBeforeSec: 900 }) },
    {
      name: "the token has another issuer",
      token: () => idp.token({ scopes: ["orders.read"], issuer: "http://127.0.0.1:1/realms/other" }),
    },
    { name: "the token is for another audience", token: () => idp.token({ scopes: ["orders.read"], audience: "other-api" }) },
    { name: "the token's kid is unknown to the JWKS", token: () => idp.token({ scopes: ["orders.read"], key: "unpublished" }) },
    { name: "the token is unsigned (alg none)", token: () => idp.token({ scopes: ["orders.read"], alg: "none" }) },
    { name: "the token is HMAC-signed (HS256)", token: () => idp.token({ scopes: ["orders.read"], alg: "HS256" }) },
    {
      name: "the payload was tampered with",
      token: async () => tamperToken(await idp.token({ sub: "alice", scopes: ["orders.read"] }), { sub: "ada" }),
    },
    { name: "the token is garbage", token: async () => "abc.def.ghi" },
  ];
  for (const c of rejected) {
    test(`when ${c.name}, then 401 problem+json with a Bearer challenge and nothing reaches downstream`, async () => {
      const before = down.received.length;
      const token = await c.token();
      const headers: Record<string, string> = {};
      if (c.header) headers.authorization = c.header;
      const res = await gw.get("/orders/mine", { token, headers });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
      expect(((await res.json()) as { status: number }).status).toBe(401);
      expect(down.received.length).toBe(before);
    });
  }

  test("when the token is valid, then the request is forwarded with the same bearer token", async () => {
    const token = await idp.token({ sub: "alice", scopes: ["orders.read"] });
    const echo = await echoOf(await gw.get("/orders/mine", { token }));
    expect(echo.path).toBe("/api/orders/mine");
    expect(echo.headers.authorization).toBe(`Bearer ${token}`);
  });

  test("when an authenticated route gets an OPTIONS request, then it passes without a token [AuthenticationMiddleware skips OPTIONS]", async () => {
    const gwOptions = await gw.request("OPTIONS", "/claims/x");
    expect(gwOptions.status).toBe(403); // claims-to-headers still needs the claim
    const res = await gw.request("OPTIONS", "/users/alice/orders");
    expect((await echoOf(res)).method).toBe("OPTIONS");
  });

  test("when a stream is opened with the token in the Authorization header, then it streams through", async () => {
    const token = await idp.token({ sub: "alice", scopes: ["notifications.read"] });
    const res = await gw.get("/notifications/sse", { token, headers: { accept: "text/event-stream" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(await res.text()).toContain("data: 2");
  });

  // Issue 16 item 3: the query token was accepted on any route whenever Accept named text/event-stream. The customer
  // app now streams over fetch with an Authorization header, so no route and no method accepts one.
  const refused: Array<{ name: string; method: string; path: string }> = [
    { name: "a GET of a server-sent event stream", method: "GET", path: "/notifications/sse" },
    { name: "a GET of another route", method: "GET", path: "/notifications/other" },
    { name: "a write", method: "POST", path: "/claims/x" },
  ];
  for (const c of refused)
    test(`when access_token is in the query of ${c.name} (Accept: text/event-stream), then 401 and nothing reaches the downstream`, async () => {
      const token = await idp.token({ sub: "alice", scopes: ["notifications.read", "orders.read", "orders.write"] });
      const before = down.received.length;
      const res = await gw.request(c.method, `${c.path}?access_token=${token}`, { headers: { accept: "text/event-stream" } });
      expect(res.status).toBe(401);
      expect(down.received.length).toBe(before);
    });
});

describe("authorization [authentication.rst › AllowedScopes; authorization.rst › RouteClaimsRequirement; errorcodes.rst › 403]", () => {
  const cases: Array<{ name: string; method: string; path: string; claims: Parameters<TestIssuer["token"]>[0]; status: number }> = [
    {
      name: "the token has none of AllowedScopes",
      method: "GET",
      path: "/orders/mine",
      claims: { scopes: ["inventory.read"] },
      status: 403,
    },
    { name: "the token has no scope at all", method: "GET", path: "/orders/mine", claims: { scopes: [] }, status: 403 },
    {
      name: "the token has one of several AllowedScopes",
      method: "GET",
      path: "/orders/mine",
      claims: { scopes: ["profile", "orders.admin"] },
      status: 200,
    },
    {
      name: "the scope claim is an array",
      method: "GET",
      path: "/orders/mine",
      claims: { claims: { scope: ["orders.read"] } },
      status: 200,
    },
    // The kit's scope rule (scopesOf): an array element is one scope, never split on spaces, as the services read it.
    {
      name: "an array element of scope holds two scopes separated by a space",
      method: "GET",
      path: "/orders/mine",
      claims: { claims: { scope: ["profile orders.read"] } },
      status: 403,
    },
    {
      name: "scope is empty and scp holds the scope",
      method: "GET",
      path: "/orders/mine",
      claims: { claims: { scope: "", scp: ["orders.read"] } },
      status: 200,
    },
    {
      name: "the token was issued in the future beyond the clock skew",
      method: "GET",
      path: "/orders/mine",
      claims: { scopes: ["orders.read"], claims: { iat: Math.floor(Date.now() / 1000) + 600 } },
      status: 401,
    },
    {
      name: "the required role claim value is missing",
      method: "POST",
      path: "/inventory/products",
      claims: { scopes: ["inventory.write"], roles: ["customer"] },
      status: 403,
    },
    {
      name: "the required claim is absent",
      method: "POST",
      path: "/inventory/products",
      claims: { scopes: ["inventory.write"], omitClaims: ["roles"] },
      status: 403,
    },
    {
      name: "the roles claim array holds the required value",
      method: "POST",
      path: "/inventory/products",
      claims: { scopes: ["inventory.write"], roles: ["customer", "admin"] },
      status: 200,
    },
    {
      name: "the right role lacks the scope",
      method: "POST",
      path: "/inventory/products",
      claims: { scopes: ["inventory.read"], roles: ["admin"] },
      status: 403,
    },
    {
      name: "a claim requirement names a placeholder and the value matches",
      method: "GET",
      path: "/users/alice/orders",
      claims: { sub: "alice" },
      status: 200,
    },
    {
      name: "a claim requirement names a placeholder and the value differs",
      method: "GET",
      path: "/users/bob/orders",
      claims: { sub: "alice" },
      status: 403,
    },
  ];
  for (const c of cases) {
    test(`when ${c.name}, then ${c.status}`, async () => {
      const token = await idp.token(c.claims);
      const res = await gw.request(c.method, c.path, { token });
      expect(res.status).toBe(c.status);
      if (c.status === 403) expect(res.headers.get("content-type")).toContain("application/problem+json");
    });
  }
});

describe("claims to headers [claimstransformation.rst › AddHeadersToRequest]", () => {
  test("when claims exist, then their values are set as downstream headers, replacing client-sent ones", async () => {
    const token = await idp.token({ sub: "alice", claims: { tenant: "eu|acme|x" } });
    const echo = await echoOf(await gw.get("/claims/x", { token, headers: { CustomerId: "ada" } }));
    expect(echo.headers.customerid).toBe("alice");
    expect(echo.headers.tenant).toBe("acme");
  });

  test("when AddQueriesToRequest names a claim, then the downstream query carries it, replacing a client-sent value [claimstransformation.rst › AddQueriesToRequest]", async () => {
    const token = await idp.token({ sub: "alice", claims: { tenant: "eu|acme" } });
    const echo = await echoOf(await gw.get("/claims/x?customerId=ada&page=2", { token }));
    expect(new URLSearchParams(echo.query).get("customerId")).toBe("alice");
    expect(new URLSearchParams(echo.query).get("page")).toBe("2");
  });

  // ClaimToThingConfigurationParser + ClaimsParser.GetValue: index defaults to 0; without a delimiter the whole
  // value is used (an index is ignored); a delimiter splits on each of its characters.
  const specs: Array<{ spec: string; tenant: string; header: string }> = [
    { spec: "Claims[tenant] > value", tenant: "eu|acme", header: "eu|acme" },
    { spec: "Claims[tenant] > value[1]", tenant: "eu|acme", header: "eu|acme" },
    { spec: "Claims[tenant] > value > |", tenant: "eu|acme", header: "eu" },
    { spec: "Claims[tenant] > value[2] > |;", tenant: "eu|acme;x", header: "x" },
  ];
  for (const c of specs)
    test(`when AddHeadersToRequest is "${c.spec}" and the claim is "${c.tenant}", then the header is "${c.header}"`, async () => {
      await using g = await startGateway(
        {
          Routes: [
            route(down, {
              UpstreamPathTemplate: "/t/{x}",
              DownstreamPathTemplate: "/t/{x}",
              AuthenticationOptions: { AuthenticationProviderKey: "Keycloak" },
              AddHeadersToRequest: { Tenant: c.spec },
            }),
          ],
        },
        { issuer: idp.issuer, audience: "meridian-api" },
      );
      const token = await idp.token({ sub: "alice", claims: { tenant: c.tenant } });
      expect((await echoOf(await g.get("/t/1", { token }))).headers.tenant).toBe(c.header);
    });

  test("when a claim for a header is missing, then 403", async () => {
    const token = await idp.token({ sub: "alice" });
    const res = await gw.get("/claims/x", { token });
    expect(res.status).toBe(403);
  });
});

describe("forwarded headers", () => {
  test("when a client sends identity and forwarding headers, then they are dropped and X-Forwarded-* set by the gateway", async () => {
    const echo = await echoOf(
      await gw.get("/public/h", {
        headers: {
          "x-user-id": "ada",
          "x-forwarded-for": "6.6.6.6",
          "x-forwarded-host": "evil.example",
          forwarded: "for=6.6.6.6",
          "x-real-ip": "6.6.6.6",
          "proxy-authorization": "Basic eA==",
          "x-custom": "kept",
        },
      }),
    );
    expect(echo.headers["x-user-id"]).toBeUndefined();
    expect(echo.headers.forwarded).toBeUndefined();
    expect(echo.headers["x-real-ip"]).toBeUndefined();
    expect(echo.headers["proxy-authorization"]).toBeUndefined();
    expect(echo.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(echo.headers["x-forwarded-proto"]).toBe("http");
    expect(echo.headers["x-forwarded-host"]).toBe(new URL(gw.url).host);
    expect(echo.headers["x-custom"]).toBe("kept");
    expect(echo.headers.host).toBe(`127.0.0.1:${down.port}`);
  });

  test("when the gateway answers, then downstream headers and cookies pass back and trace context is propagated", async () => {
    const res = await gw.get("/public/h");
    expect(res.headers.get("x-downstream")).toBe("svc");
    expect(res.headers.getSetCookie()).toContain("a=1");
    const echo = (await res.json()) as { headers: Record<string, string> };
    expect(echo.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(res.headers.get("traceparent") ?? undefined).toBe(echo.headers.traceparent);
  });

  test("when the caller sends a traceparent, then the downstream and the answer continue its trace under the gateway's span", async () => {
    const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const res = await gw.get("/public/h", { headers: { traceparent: caller, tracestate: "vendor=1" } });
    const echo = (await res.json()) as { headers: Record<string, string> };
    const [version, traceId, spanId, flags] = echo.headers.traceparent?.split("-") ?? [];
    expect([version, traceId, flags]).toEqual(["00", "4bf92f3577b34da6a3ce929d0e0e4736", "01"]);
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(spanId).not.toBe("00f067aa0ba902b7");
    expect(echo.headers.tracestate).toBe("vendor=1");
    expect(res.headers.get("traceparent") ?? undefined).toBe(echo.headers.traceparent);
  });

  test("when two requests arrive without trace context, then each starts its own trace", async () => {
    const traceIds = await Promise.all(
      [1, 2].map(
        async () => ((await (await gw.get("/public/h")).json()) as { headers: Record<string, string> }).headers.traceparent?.split("-")[1],
      ),
    );
    expect(traceIds[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(traceIds[0]).not.toBe(traceIds[1]);
  });
});

describe("request id [requestid.rst › RequestIdKey]", () => {
  test("when the client sends the RequestIdKey header, then the same id reaches downstream and comes back", async () => {
    const res = await gw.get("/public/r", { headers: { OcRequestId: "req-123" } });
    expect(res.headers.get("OcRequestId")).toBe("req-123");
    expect((await echoOf(res)).headers.ocrequestid).toBe("req-123");
  });

  test("when the client sends none, then the gateway generates one and sends it downstream", async () => {
    const res = await gw.get("/public/r");
    const echo = await echoOf(res);
    expect(echo.headers.ocrequestid).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("OcRequestId")).toBe(echo.headers.ocrequestid ?? "");
  });

  // requestid.rst: global RequestIdKey applies to every route; "If you want to override this for a specific Route"
  // set it on the route (Ocelot's RequestIdKeyCreator: the route's key when non-empty, else the global one).
  const keyCases: Array<{ name: string; routeKey?: string; used: string; unused: string }> = [
    { name: "only GlobalConfiguration.RequestIdKey is set, then it is used", used: "X-Correlation-Id", unused: "routekey" },
    {
      name: "the route also sets RequestIdKey, then the route's key overrides the global one",
      routeKey: "RouteKey",
      used: "RouteKey",
      unused: "x-correlation-id",
    },
  ];
  for (const c of keyCases)
    test(`when ${c.name}`, async () => {
      await using g = await startGateway({
        Routes: [route(down, { UpstreamPathTemplate: "/g/{x}", DownstreamPathTemplate: "/g/{x}", RequestIdKey: c.routeKey })],
        GlobalConfiguration: { RequestIdKey: "X-Correlation-Id" },
      });
      const res = await g.get("/g/1", { headers: { [c.used]: "c-1" } });
      const echo = await echoOf(res);
      expect(echo.headers[c.used.toLowerCase()]).toBe("c-1");
      expect(echo.headers[c.unused]).toBeUndefined();
    });
});

describe("issuer keys", () => {
  test("when OIDC_JWKS_URL is given instead of discovery, then tokens verify against it", async () => {
    await using g = await startGateway(
      {
        Routes: [
          route(down, {
            UpstreamPathTemplate: "/j/{x}",
            DownstreamPathTemplate: "/j/{x}",
            AuthenticationOptions: { AuthenticationProviderKey: "Keycloak" },
          }),
        ],
      },
      { issuer: idp.issuer, jwksUrl: idp.jwksUrl },
    );
    expect((await g.get("/j/1", { token: await idp.token() })).status).toBe(200);
    expect((await g.get("/j/1")).status).toBe(401);
  });

  test("when auth failures happened, then /metrics counts them by reason", async () => {
    await gw.get("/orders/mine");
    await gw.get("/orders/mine", { token: await idp.token({ scopes: ["x"] }) });
    const text = await (await gw.get("/metrics")).text();
    expect(text).toMatch(/^gateway_auth_failures_total\{.*reason="missing_token".*\} [1-9]\d*$/m);
    expect(text).toMatch(/^gateway_auth_failures_total\{.*reason="insufficient_scope".*\} [1-9]\d*$/m);
  });
});

describe("global authentication options [authentication.rst › Configuration and AllowAnonymous]", () => {
  test("when GlobalConfiguration.AuthenticationOptions is set, then routes use it unless AllowAnonymous or their own options", async () => {
    await using g = await startGateway(
      {
        Routes: [
          route(down, { Key: "r1", UpstreamPathTemplate: "/g1", DownstreamPathTemplate: "/g1", AuthenticationOptions: {} }),
          route(down, {
            Key: "r2",
            UpstreamPathTemplate: "/g2",
            DownstreamPathTemplate: "/g2",
            AuthenticationOptions: { AuthenticationProviderKeys: ["MyKey"], AllowedScopes: ["bob"] },
          }),
          route(down, {
            Key: "r3",
            UpstreamPathTemplate: "/g3",
            DownstreamPathTemplate: "/g3",
            AuthenticationOptions: { AllowAnonymous: true },
          }),
        ],
        GlobalConfiguration: {
          AuthenticationOptions: { RouteKeys: [], AuthenticationProviderKeys: ["MyGlobalKey"], AllowedScopes: ["admin"] },
        },
      },
      { issuer: idp.issuer },
    );
    expect((await g.get("/g1")).status).toBe(401);
    expect((await g.get("/g1", { token: await idp.token({ scopes: ["bob"] }) })).status).toBe(403);
    expect((await g.get("/g1", { token: await idp.token({ scopes: ["admin"] }) })).status).toBe(200);
    expect((await g.get("/g2", { token: await idp.token({ scopes: ["admin"] }) })).status).toBe(403);
    expect((await g.get("/g2", { token: await idp.token({ scopes: ["bob"] }) })).status).toBe(200);
    expect((await g.get("/g3")).status).toBe(200);
  });

  test("when global options name RouteKeys, then only those routes are authenticated by them", async () => {
    await using g = await startGateway(
      {
        Routes: [
          route(down, { Key: "in", UpstreamPathTemplate: "/in", DownstreamPathTemplate: "/in" }),
          route(down, { Key: "out", UpstreamPathTemplate: "/out", DownstreamPathTemplate: "/out" }),
        ],
        GlobalConfiguration: { AuthenticationOptions: { RouteKeys: ["in"], AuthenticationProviderKeys: ["Bearer"] } },
      },
      { issuer: idp.issuer },
    );
    expect((await g.get("/in")).status).toBe(401);
    expect((await g.get("/out")).status).toBe(200);
  });
});
