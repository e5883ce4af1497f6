/**
 * The gateway as operators start it (`bun gateway/src/main.ts` with GATEWAY_ROUTES, PORT, OIDC_ISSUER), and the
 * repository's own route table (gateway/ocelot.json, docs/design.md › Route table).
 */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { resolve } from "node:path";
import { tmpdir } from "node:os";
import { rm } from "node:fs/promises";
import { startServiceProcess, waitFor, type ServiceProcess } from "@meridian/kit/testing";
import { startTestIssuer, type TestIssuer } from "@meridian/kit/testing/issuer";
import { closedPort, echoOf, startDownstream, startGateway, type Downstream, type TestGateway } from "./helpers";

// Real servers, circuit and rate-limit windows: more than bun's 5 s default (bunfig has no test timeout).
setDefaultTimeout(30_000);

const MAIN = resolve(import.meta.dir, "../src/main.ts");
const REPO_ROUTES = resolve(import.meta.dir, "../ocelot.json");

let idp: TestIssuer;
const tempFiles: string[] = [];
const services: Record<string, Downstream> = {};
const PORTS: Record<number, string> = { 5101: "orders", 5102: "inventory", 5103: "notifications", 5104: "audit" };

beforeAll(async () => {
  idp = await startTestIssuer();
  for (const name of Object.values(PORTS)) services[name] = startDownstream(name);
});
afterAll(async () => {
  for (const f of tempFiles) await rm(f, { force: true });
  await idp.stop();
  for (const s of Object.values(services)) await s.stop();
});

/** The repository's ocelot.json with each service port pointed at a test downstream. */
async function repoRoutesOnTestPorts(): Promise<{ Routes: Array<Record<string, unknown>> }> {
  const file = (await Bun.file(REPO_ROUTES).json()) as { Routes: Array<Record<string, unknown>> };
  for (const r of file.Routes) {
    const hosts = r.DownstreamHostAndPorts as Array<{ Host: string; Port: number }>;
    for (const h of hosts) {
      const name = PORTS[h.Port];
      if (!name) throw new Error(`ocelot.json routes to unexpected port ${h.Port}`);
      h.Port = (services[name] as Downstream).port;
    }
  }
  return file;
}

describe("bun gateway/src/main.ts", () => {
  let gateway: ServiceProcess | undefined;
  let base = "";

  beforeAll(async () => {
    const routesFile = resolve(tmpdir(), `gateway-routes-${process.pid}-${Date.now()}.json`);
    tempFiles.push(routesFile);
    await Bun.write(routesFile, JSON.stringify(await repoRoutesOnTestPorts()));
    gateway = await startServiceProcess({
      entry: "gateway/src/main.ts",
      env: { GATEWAY_ROUTES: routesFile, OIDC_ISSUER: idp.issuer, OIDC_AUDIENCE: "meridian-api", LOG_LEVEL: "warn" },
      readyPath: "/health/live",
      timeoutMs: 20_000,
    });
    base = gateway.url;
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  test("when started with GATEWAY_ROUTES, PORT and OIDC_ISSUER, then health, readiness and metrics answer", async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const metricsRes = await fetch(`${base}/metrics`);
    expect(metricsRes.status).toBe(200);
    expect(await metricsRes.text()).toContain("target_info");
  });

  test("when a customer lists their orders through the process, then orders gets GET /api/orders/mine with the token", async () => {
    const token = await idp.token({ sub: "alice", scopes: ["orders.read"], roles: ["customer"] });
    const res = await fetch(`${base}/orders/mine?page=2`, { headers: { authorization: `Bearer ${token}` } });
    const echo = await echoOf(res);
    expect(echo.server).toBe("orders");
    expect(echo.path).toBe("/api/orders/mine");
    expect(echo.query).toBe("?page=2");
    expect(echo.headers.authorization).toBe(`Bearer ${token}`);
    expect(echo.headers["x-request-id"]).toBeString();
  });

  test("when requests are routed, then the duration metric names the matched upstream template, not the catch-all", async () => {
    const token = await idp.token({ sub: "alice", scopes: ["orders.read"], roles: ["customer"] });
    await fetch(`${base}/orders/mine`, { headers: { authorization: `Bearer ${token}` } });
    const text = await waitFor(
      async () => {
        const body = await (await fetch(`${base}/metrics`)).text();
        return body.includes('http_route="/orders/{everything}"') ? body : undefined;
      },
      { what: "the request to be measured" },
    );
    expect(text).not.toContain('http_route="/*"');
  });

  test("when the process gets SIGTERM, then it exits 0", async () => {
    const routesFile = resolve(tmpdir(), `gateway-routes-term-${process.pid}-${Date.now()}.json`);
    tempFiles.push(routesFile);
    await Bun.write(routesFile, JSON.stringify({ Routes: [] }));
    const port = closedPort();
    const p = Bun.spawn(["bun", MAIN], {
      env: { ...process.env, GATEWAY_ROUTES: routesFile, PORT: String(port), LOG_LEVEL: "silent" },
      stdout: "ignore",
      stderr: "ignore",
    });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined))?.ok, {
      timeoutMs: 20_000,
      what: "the gateway process to listen",
    });
    p.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  });

  test("when OTEL_SERVICE_NAME is set, then the gateway's metrics (its endpoints and the proxy) and exported spans carry that name", async () => {
    // An OTLP/HTTP receiver (the kit's exporters send JSON): the resource of each export names the service.
    const exportedNames = new Set<string>();
    const receiver = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        if (new URL(req.url).pathname === "/v1/traces") {
          const body = (await req.json()) as {
            resourceSpans?: Array<{ resource?: { attributes?: Array<{ key: string; value: { stringValue?: string } }> } }>;
          };
          for (const rs of body.resourceSpans ?? []) {
            const name = rs.resource?.attributes?.find((a) => a.key === "service.name")?.value.stringValue;
            if (name) exportedNames.add(name);
          }
        }
        return Response.json({});
      },
    });
    const routesFile = resolve(tmpdir(), `gateway-routes-otel-${process.pid}-${Date.now()}.json`);
    tempFiles.push(routesFile);
    const orders = services.orders as Downstream;
    await Bun.write(
      routesFile,
      JSON.stringify({
        Routes: [
          {
            UpstreamPathTemplate: "/canary/{x}",
            DownstreamPathTemplate: "/{x}",
            DownstreamScheme: "http",
            DownstreamHostAndPorts: [{ Host: "127.0.0.1", Port: orders.port }],
          },
        ],
      }),
    );
    const named = await startServiceProcess({
      entry: "gateway/src/main.ts",
      env: {
        GATEWAY_ROUTES: routesFile,
        OTEL_SERVICE_NAME: "gateway-canary",
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiver.port}`,
        LOG_LEVEL: "warn",
      },
      readyPath: "/health/live",
      timeoutMs: 20_000,
    });
    try {
      expect((await fetch(`${named.url}/canary/ping`)).status).toBe(200);
      const metrics = await waitFor(
        async () => {
          const body = await (await fetch(`${named.url}/metrics`)).text();
          return body.includes('http_route="/canary/{x}"') ? body : undefined;
        },
        { what: "the proxied request to be measured" },
      );
      const labels = new Set([...metrics.matchAll(/\bservice="([^"]*)"/g)].map((m) => m[1]));
      expect([...labels]).toEqual(["gateway-canary"]);
      expect(metrics).toMatch(/http_server_request_duration_seconds_count\{[^}]*http_route="\/canary\/\{x\}"[^}]*service="gateway-canary"/);
      expect(metrics).toContain('service_name="gateway-canary"');
      // Spans leave in batches (every 5 s by default).
      await waitFor(() => exportedNames.size > 0, { timeoutMs: 15_000, what: "spans exported to the OTLP receiver" });
      expect([...exportedNames]).toEqual(["gateway-canary"]);
    } finally {
      await named.stop();
      await receiver.stop(true);
    }
  });

  const badStarts: Array<{ name: string; env: Record<string, string>; message: RegExp }> = [
    { name: "GATEWAY_ROUTES names a missing file", env: { GATEWAY_ROUTES: "/nonexistent/ocelot.json" }, message: /GATEWAY_ROUTES/ },
    { name: "routes need authentication but OIDC_ISSUER is unset", env: { GATEWAY_ROUTES: REPO_ROUTES }, message: /OIDC_ISSUER/ },
    { name: "PORT is not a number", env: { GATEWAY_ROUTES: REPO_ROUTES, PORT: "eighty" }, message: /PORT/ },
  ];
  for (const c of badStarts) {
    test(`when ${c.name}, then the process prints one config error line and exits 1`, async () => {
      const env: Record<string, string | undefined> = { ...process.env, ...c.env, LOG_LEVEL: "silent" };
      if (!c.env.OIDC_ISSUER) delete env.OIDC_ISSUER;
      const p = Bun.spawn(["bun", MAIN], { env, stdout: "ignore", stderr: "pipe" });
      expect(await p.exited).toBe(1);
      const stderr = await new Response(p.stderr).text();
      expect(stderr).toMatch(c.message);
    });
  }
});

describe("the repository route table (gateway/ocelot.json)", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway(await repoRoutesOnTestPorts(), { issuer: idp.issuer, audience: "meridian-api" });
  });
  afterAll(async () => {
    await gw.stop();
  });

  const customer = (scopes: string[]) => idp.token({ sub: "alice", scopes, roles: ["customer"] });
  const admin = (scopes: string[]) => idp.token({ sub: "ada", scopes, roles: ["admin"] });

  const cases: Array<{
    name: string;
    method: string;
    path: string;
    token?: () => Promise<string>;
    status: number;
    server?: string;
    downstream?: string;
  }> = [
    { name: "GET /orders without a token", method: "GET", path: "/orders", status: 401 },
    {
      name: "GET /orders (the bare list) with orders.read",
      method: "GET",
      path: "/orders",
      token: () => admin(["orders.read"]),
      status: 200,
      server: "orders",
      downstream: "/api/orders",
    },
    {
      name: "GET /orders/mine with orders.read",
      method: "GET",
      path: "/orders/mine",
      token: () => customer(["orders.read"]),
      status: 200,
      server: "orders",
      downstream: "/api/orders/mine",
    },
    { name: "POST /orders with only orders.read", method: "POST", path: "/orders", token: () => customer(["orders.read"]), status: 403 },
    {
      name: "POST /orders with orders.write",
      method: "POST",
      path: "/orders",
      token: () => customer(["orders.write"]),
      status: 200,
      server: "orders",
      downstream: "/api/orders",
    },
    {
      name: "POST /orders/{id}/cancel with orders.write",
      method: "POST",
      path: "/orders/o-1/cancel",
      token: () => customer(["orders.write"]),
      status: 200,
      server: "orders",
      downstream: "/api/orders/o-1/cancel",
    },
    {
      name: "GET /inventory/products with inventory.read",
      method: "GET",
      path: "/inventory/products",
      token: () => customer(["inventory.read"]),
      status: 200,
      server: "inventory",
      downstream: "/api/inventory/products",
    },
    {
      name: "POST /inventory/products by a customer with inventory.write",
      method: "POST",
      path: "/inventory/products",
      token: () => customer(["inventory.write"]),
      status: 403,
    },
    {
      name: "POST /inventory/products by an admin with inventory.write",
      method: "POST",
      path: "/inventory/products",
      token: () => admin(["inventory.write"]),
      status: 200,
      server: "inventory",
      downstream: "/api/inventory/products",
    },
    {
      name: "GET /notifications with notifications.read",
      method: "GET",
      path: "/notifications",
      token: () => customer(["notifications.read"]),
      status: 200,
      server: "notifications",
      downstream: "/api/notifications",
    },
    {
      name: "POST /notifications/read-all with notifications.read",
      method: "POST",
      path: "/notifications/read-all",
      token: () => customer(["notifications.read"]),
      status: 200,
      server: "notifications",
      downstream: "/api/notifications/read-all",
    },
    {
      name: "GET /audit/events by a customer with audit.read",
      method: "GET",
      path: "/audit/events",
      token: () => customer(["audit.read"]),
      status: 403,
    },
    {
      name: "GET /audit/events by an admin with audit.read",
      method: "GET",
      path: "/audit/events",
      token: () => admin(["audit.read"]),
      status: 200,
      server: "audit",
      downstream: "/api/audit/events",
    },
    {
      name: "POST /audit/replay by an admin (the admin console's replay)",
      method: "POST",
      path: "/audit/replay",
      token: () => admin(["audit.read"]),
      status: 200,
      server: "audit",
      downstream: "/api/audit/replay",
    },
    { name: "POST /audit/replay by a customer", method: "POST", path: "/audit/replay", token: () => customer(["audit.read"]), status: 403 },
    {
      name: "DELETE /audit/events (no write route)",
      method: "DELETE",
      path: "/audit/events",
      token: () => admin(["audit.read"]),
      status: 404,
    },
    { name: "GET /unknown", method: "GET", path: "/unknown", token: () => admin(["orders.read"]), status: 404 },
  ];
  // Issue 16 item 1: rate limiting ran before authentication with one shared counter for every client without a
  // ClientId header, so an anonymous flood made every customer's order answer 429; a ClientId of one's own escaped it.
  test("when anonymous and spoofed-ClientId floods hit POST /orders, then a valid customer's order still succeeds", async () => {
    const flood = async (n: number, init: () => RequestInit & { token?: string }) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i += 50)
        statuses.push(
          ...(await Promise.all(Array.from({ length: 50 }, () => gw.request("POST", "/orders", init()).then((r) => r.status)))),
        );
      return statuses;
    };
    const anonymous = await flood(300, () => ({ headers: { "content-type": "application/json" }, body: "{}" }));
    expect(new Set(anonymous)).toEqual(new Set([401]));
    const mallory = await idp.token({ sub: "mallory", scopes: ["orders.write"] });
    const spoofed = await flood(300, () => ({ token: mallory, headers: { ClientId: crypto.randomUUID() }, body: "{}" }));
    expect(spoofed.filter((s) => s === 429).length).toBeGreaterThan(0);
    const order = await gw.request("POST", "/orders", { token: await customer(["orders.write"]), body: "{}" });
    expect(order.status).toBe(200);
    expect((await echoOf(order)).path).toBe("/api/orders");
  });

  test("when /notifications/stream is opened with access_token in the query, then 401; with the Authorization header, then it is forwarded", async () => {
    const token = await customer(["notifications.read"]);
    expect((await gw.get(`/notifications/stream?access_token=${token}`, { headers: { accept: "text/event-stream" } })).status).toBe(401);
    const stream = await gw.get("/notifications/stream", { token });
    expect(stream.status).toBe(200);
    const echo = await echoOf(stream);
    expect(echo.path).toBe("/api/notifications/stream");
    expect(echo.headers.authorization).toBe(`Bearer ${token}`);
  });

  // Issue 16 item 11: after the service is back, intake must come back within 3 s (the breaker's BreakDuration plus
  // the first probe), with the QoS values of the repository's own table.
  test("when orders is down until the circuit opens and then comes back, then POST /orders succeeds again within 3 s", async () => {
    const file = (await Bun.file(REPO_ROUTES).json()) as { Routes: Array<Record<string, unknown>> };
    const ordersWrite = file.Routes.find((r) => r.Key === "orders-write") as Record<string, unknown>;
    const port = closedPort();
    await using gw = await startGateway({
      Routes: [
        {
          ...ordersWrite,
          RateLimitOptions: undefined,
          AuthenticationOptions: undefined,
          DownstreamHostAndPorts: [{ Host: "127.0.0.1", Port: port }],
        },
      ],
    });
    let status = 0;
    for (let i = 0; i < 50 && status !== 503; i++) status = (await gw.request("POST", "/orders", { body: "{}" })).status;
    expect(status).toBe(503); // the circuit is open
    const back = Bun.serve({ port, hostname: "127.0.0.1", fetch: () => Response.json({ ok: true }, { status: 201 }) });
    try {
      const backAt = performance.now();
      await waitFor(async () => (await gw.request("POST", "/orders", { body: "{}" })).status === 201, {
        timeoutMs: 10_000,
        intervalMs: 50,
        what: "intake to come back",
      });
      const recoveryMs = performance.now() - backAt;
      expect(recoveryMs).toBeLessThanOrEqual(3000);
    } finally {
      await back.stop(true);
    }
  });

  for (const c of cases) {
    test(`when ${c.name}, then ${c.status}${c.downstream ? ` and ${c.server} gets ${c.downstream}` : ""}`, async () => {
      const res = await gw.request(c.method, c.path, { token: c.token ? await c.token() : undefined });
      expect(res.status).toBe(c.status);
      if (c.downstream) {
        const echo = await echoOf(res);
        expect(echo.server).toBe(c.server ?? "");
        expect(echo.path).toBe(c.downstream);
      }
    });
  }
});
