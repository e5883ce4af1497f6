/**
 * QoS, load balancing and rate limiting, checked against Ocelot 25.0: docs/features/qualityofservice.rst,
 * docs/features/loadbalancer.rst, docs/features/ratelimiting.rst, docs/features/errorcodes.rst (502 unreachable
 * downstream; 503 open circuit), src/Ocelot.Provider.Polly/RequestTimedOutError.cs (504 timeout),
 * src/Ocelot.Provider.Polly/CircuitBreakerStrategy.cs (floors and substitutions),
 * src/Ocelot/Configuration/RateLimitOptions.cs and src/Ocelot/RateLimiting/RateLimiting.cs (defaults, counting).
 */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { waitFor } from "@meridian/kit/testing";
import { startTestIssuer, type TestIssuer } from "@meridian/kit/testing/issuer";
import { resolveConfiguration } from "../src/config";
import { clientAddress } from "../src/gateway";
import { closedPort, downstreamsForFile, echoOf, route, startDownstream, startGateway } from "./helpers";

// Real servers, circuit and rate-limit windows: more than bun's 5 s default (bunfig has no test timeout).
setDefaultTimeout(30_000);

const { a, b } = downstreamsForFile("a", "b");

describe("quality of service [qualityofservice.rst; errorcodes.rst]", () => {
  test("when the downstream does not answer within TimeoutValue, then 504 [RequestTimedOutError: Status504GatewayTimeout]", async () => {
    await using gw = await startGateway({
      Routes: [route(a, { UpstreamPathTemplate: "/t/{x}", DownstreamPathTemplate: "/{x}", QoSOptions: { TimeoutValue: 300 } })],
    });
    const started = performance.now();
    const res = await gw.get("/t/slow/3000");
    expect(res.status).toBe(504);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(performance.now() - started).toBeLessThan(2500);
  });

  test("when calls of one route start at different times, then each times out TimeoutValue after its own start, and calls that answer in time are not cut", async () => {
    // A downstream of its own: the abandoned slow calls keep its handlers busy after the test.
    await using own = startDownstream("own");
    await using gw = await startGateway({
      Routes: [route(own, { UpstreamPathTemplate: "/q/{x}", DownstreamPathTemplate: "/{x}", QoSOptions: { TimeoutValue: 600 } })],
    });
    const timed = async (path: string) => {
      const started = performance.now();
      const res = await gw.get(path);
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - started };
    };
    const first = timed("/q/slow/3000");
    await Bun.sleep(300);
    // Started 300 ms after the first: its deadline comes 300 ms after the first's, not with it.
    const [late, inTime] = await Promise.all([timed("/q/slow/3000"), timed("/q/slow/100")]);
    const early = await first;
    expect([early.status, late.status, inTime.status]).toEqual([504, 504, 200]);
    expect(early.ms).toBeGreaterThanOrEqual(550);
    expect(late.ms).toBeGreaterThanOrEqual(550);
    expect(late.ms).toBeLessThan(2500);
  });

  test("when the downstream answers after Bun's 10 s idle timeout but within TimeoutValue, then the answer still arrives", async () => {
    await using gw = await startGateway({
      Routes: [route(a, { UpstreamPathTemplate: "/long/{x}", DownstreamPathTemplate: "/{x}", QoSOptions: { TimeoutValue: 20_000 } })],
    });
    const res = await gw.get("/long/slow/11500");
    expect(res.status).toBe(200);
    expect((await echoOf(res)).path).toBe("/slow/11500");
  });

  test("when a route Timeout (seconds) passes without QoSOptions, then 504 [configuration.rst › Timeout]", async () => {
    await using gw = await startGateway({
      Routes: [route(a, { UpstreamPathTemplate: "/rt/{x}", DownstreamPathTemplate: "/{x}", Timeout: 1 })],
    });
    expect((await gw.get("/rt/slow/4000")).status).toBe(504);
    expect((await gw.get("/rt/fast")).status).toBe(200);
  });

  test("when the downstream is unreachable, then 502 [errorcodes.rst › 502 if unable to connect to the downstream service]", async () => {
    const port = closedPort();
    await using gw = await startGateway({
      Routes: [route(port, { Key: "users", UpstreamPathTemplate: "/u", DownstreamPathTemplate: "/u" })],
    });
    const res = await gw.get("/u");
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    // Issue 16 item 5: the answer names the route, never the internal address (the log keeps it).
    const body = await res.text();
    expect(body).toContain("route users");
    expect(body).not.toContain("127.0.0.1");
    expect(body).not.toContain(String(port));
  });

  test("when ExceptionsAllowedBeforeBreaking failures happen, then the circuit opens (503 without calling downstream) and closes after DurationOfBreak on a good probe", async () => {
    await using down = startDownstream("flaky");
    await using gw = await startGateway({
      Routes: [
        route(down, {
          UpstreamPathTemplate: "/cb/{x}",
          DownstreamPathTemplate: "/{x}",
          QoSOptions: { ExceptionsAllowedBeforeBreaking: 2, DurationOfBreak: 800, TimeoutValue: 5000 },
        }),
      ],
    });
    down.behaviour.status = 500;
    expect((await gw.get("/cb/1")).status).toBe(500); // the downstream's own answer passes through
    expect((await gw.get("/cb/2")).status).toBe(500);
    const calls = down.received.length;
    const open = await gw.get("/cb/3");
    expect(open.status).toBe(503);
    expect(down.received.length).toBe(calls);
    const metricsText = await (await gw.get("/metrics")).text();
    expect(metricsText).toMatch(/^gateway_circuit_state\{.*route="\/cb\/\{x\}".*\} 2$/m);

    down.behaviour.status = 200;
    const closed = await waitFor(
      async () => {
        const res = await gw.get("/cb/4");
        return res.status === 200 ? res : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 100, what: "circuit to let a probe through after DurationOfBreak" },
    );
    expect((await echoOf(closed)).path).toBe("/4");
    expect((await gw.get("/cb/5")).status).toBe(200);
  });

  test("when the half-open probe fails, then the circuit opens again", async () => {
    await using down = startDownstream("down");
    await using gw = await startGateway({
      Routes: [
        route(down, {
          UpstreamPathTemplate: "/hb/{x}",
          DownstreamPathTemplate: "/{x}",
          QoSOptions: { ExceptionsAllowedBeforeBreaking: 2, DurationOfBreak: 600 },
        }),
      ],
    });
    down.behaviour.status = 503;
    expect((await gw.get("/hb/1")).status).toBe(503); // downstream's 503, counted as a failure
    expect((await gw.get("/hb/2")).status).toBe(503);
    const calls = down.received.length;
    expect((await gw.get("/hb/3")).status).toBe(503); // open: not forwarded
    expect(down.received.length).toBe(calls);
    await waitFor(
      async () => {
        await gw.get("/hb/probe");
        return down.received.length > calls || undefined;
      },
      {
        timeoutMs: 10_000,
        intervalMs: 150,
        what: "a half-open probe to reach the downstream",
      },
    );
    const afterProbe = down.received.length;
    expect((await gw.get("/hb/4")).status).toBe(503);
    expect(down.received.length).toBe(afterProbe);
  });

  test("when an unreachable downstream fails MinimumThroughput times, then the next request gets 503 without a connection attempt", async () => {
    await using gw = await startGateway({
      Routes: [
        route(closedPort(), {
          UpstreamPathTemplate: "/x",
          DownstreamPathTemplate: "/x",
          QoSOptions: { MinimumThroughput: 2, BreakDuration: 60_000 },
        }),
      ],
    });
    expect((await gw.get("/x")).status).toBe(502);
    expect((await gw.get("/x")).status).toBe(502);
    expect((await gw.get("/x")).status).toBe(503);
  });

  // Polly v8's advanced breaker as Ocelot 25 configures it: FailureRatio over SamplingDuration, MinimumThroughput calls.
  test("when fewer than FailureRatio of the sampled calls fail, then the circuit stays closed; when the ratio is reached, it opens", async () => {
    await using down = startDownstream("ratio");
    await using gw = await startGateway({
      Routes: [
        route(down, {
          UpstreamPathTemplate: "/r/{x}",
          DownstreamPathTemplate: "/{x}",
          QoSOptions: { ExceptionsAllowedBeforeBreaking: 4, DurationOfBreak: 60_000, FailureRatio: 0.5, SamplingDuration: 30_000 },
        }),
      ],
    });
    // 2 failures in 5 calls (40 %): closed.
    for (const code of [200, 500, 200, 200, 500]) expect((await gw.get(`/r/status/${code}`)).status).toBe(code);
    // 3 of 6 (50 %): open, the next call is refused without reaching the downstream.
    expect((await gw.get("/r/status/500")).status).toBe(500);
    const calls = down.received.length;
    expect((await gw.get("/r/status/200")).status).toBe(503);
    expect(down.received.length).toBe(calls);
  });
});

describe("QoS floors and substitutions [CircuitBreakerStrategy.BreakDuration/MinimumThroughput/FailureRatio/SamplingDuration, PRs 2073 and 2081]", () => {
  const cases: Array<{ name: string; qos: Record<string, number>; expected: Record<string, number> | undefined }> = [
    {
      name: "ExceptionsAllowedBeforeBreaking is 0",
      qos: { ExceptionsAllowedBeforeBreaking: 0, DurationOfBreak: 1000 },
      expected: undefined,
    },
    {
      name: "ExceptionsAllowedBeforeBreaking is 1 (below Polly's 2)",
      qos: { ExceptionsAllowedBeforeBreaking: 1 },
      expected: { minimumThroughput: 100 },
    },
    { name: "ExceptionsAllowedBeforeBreaking is 2", qos: { ExceptionsAllowedBeforeBreaking: 2 }, expected: { minimumThroughput: 2 } },
    {
      name: "DurationOfBreak is 500 (not above 0.5 s)",
      qos: { ExceptionsAllowedBeforeBreaking: 2, DurationOfBreak: 500 },
      expected: { breakMs: 5000 },
    },
    { name: "DurationOfBreak is 501", qos: { ExceptionsAllowedBeforeBreaking: 2, DurationOfBreak: 501 }, expected: { breakMs: 501 } },
    {
      name: "DurationOfBreak is one day",
      qos: { ExceptionsAllowedBeforeBreaking: 2, DurationOfBreak: 86_400_000 },
      expected: { breakMs: 5000 },
    },
    {
      name: "BreakDuration (the 24.1 name) is 2000",
      qos: { MinimumThroughput: 3, BreakDuration: 2000 },
      expected: { minimumThroughput: 3, breakMs: 2000 },
    },
    {
      name: "FailureRatio is 1.0 (out of range)",
      qos: { ExceptionsAllowedBeforeBreaking: 2, FailureRatio: 1 },
      expected: { failureRatio: 0.8 },
    },
    { name: "FailureRatio is 0.05", qos: { ExceptionsAllowedBeforeBreaking: 2, FailureRatio: 0.05 }, expected: { failureRatio: 0.05 } },
    {
      name: "SamplingDuration is 500",
      qos: { ExceptionsAllowedBeforeBreaking: 2, SamplingDuration: 500 },
      expected: { samplingMs: 10_000 },
    },
    { name: "SamplingDuration is 501", qos: { ExceptionsAllowedBeforeBreaking: 2, SamplingDuration: 501 }, expected: { samplingMs: 501 } },
  ];
  for (const c of cases)
    test(`when ${c.name}, then the breaker is ${JSON.stringify(c.expected ?? "off")}`, () => {
      const config = resolveConfiguration({
        Routes: [route(a, { UpstreamPathTemplate: "/q", DownstreamPathTemplate: "/q", QoSOptions: c.qos })],
      });
      const breaker = config.routes[0]?.qos.breaker;
      if (c.expected === undefined) expect(breaker).toBeUndefined();
      else expect(breaker).toMatchObject(c.expected);
    });
});

describe("load balancing [loadbalancer.rst]", () => {
  const twoHosts = () => [
    { Host: "127.0.0.1", Port: a.port },
    { Host: "127.0.0.1", Port: b.port },
  ];

  test("when LoadBalancerOptions.Type is RoundRobin, then hosts are used in turn", async () => {
    await using gw = await startGateway({
      Routes: [
        route(a, {
          UpstreamPathTemplate: "/rr",
          DownstreamPathTemplate: "/rr",
          DownstreamHostAndPorts: twoHosts(),
          LoadBalancerOptions: { Type: "RoundRobin" },
        }),
      ],
    });
    const servers: string[] = [];
    for (let i = 0; i < 4; i++) servers.push((await echoOf(await gw.get("/rr"))).server);
    expect(servers).toEqual(["a", "b", "a", "b"]);
  });

  test("when there are no LoadBalancerOptions (NoLoadBalancer), then the first host takes every request", async () => {
    await using gw = await startGateway({
      Routes: [route(a, { UpstreamPathTemplate: "/nlb", DownstreamPathTemplate: "/nlb", DownstreamHostAndPorts: twoHosts() })],
    });
    for (let i = 0; i < 3; i++) expect((await echoOf(await gw.get("/nlb"))).server).toBe("a");
  });

  test("when LeastConnection is used and one host is busy, then the next request goes to the idle host", async () => {
    await using gw = await startGateway({
      Routes: [
        route(a, {
          UpstreamPathTemplate: "/lc/{x}",
          DownstreamPathTemplate: "/{x}",
          DownstreamHostAndPorts: twoHosts(),
          LoadBalancerOptions: { Type: "LeastConnection" },
        }),
      ],
    });
    const slow = gw.get("/lc/slow/1500");
    await waitFor(() => a.inFlight + b.inFlight > 0, { timeoutMs: 5000, what: "the slow request to arrive" });
    const busy = a.inFlight > 0 ? "a" : "b";
    const fast = await echoOf(await gw.get("/lc/fast"));
    expect(fast.server).not.toBe(busy);
    expect((await echoOf(await slow)).server).toBe(busy);
  });

  test("when CookieStickySessions is used, then a client keeps its host", async () => {
    await using gw = await startGateway({
      Routes: [
        route(a, {
          UpstreamPathTemplate: "/sticky",
          DownstreamPathTemplate: "/sticky",
          DownstreamHostAndPorts: twoHosts(),
          LoadBalancerOptions: { Type: "CookieStickySessions", Key: "sid", Expiry: 60_000 },
        }),
      ],
    });
    const first = (await echoOf(await gw.get("/sticky", { headers: { cookie: "sid=one" } }))).server;
    const other = (await echoOf(await gw.get("/sticky", { headers: { cookie: "sid=two" } }))).server;
    expect(other).not.toBe(first);
    for (let i = 0; i < 3; i++) expect((await echoOf(await gw.get("/sticky", { headers: { cookie: "sid=one" } }))).server).toBe(first);
  });
});

describe("rate limiting [ratelimiting.rst; RateLimitOptions.cs, RateLimiting.cs, RateLimitingMiddleware.cs of Ocelot 25.0]", () => {
  const limited = (fields: Record<string, unknown>, global: Record<string, unknown> = {}) =>
    startGateway({
      Routes: [
        route(a, {
          UpstreamPathTemplate: "/rl/{x}",
          DownstreamPathTemplate: "/{x}",
          RateLimitOptions: { ClientWhitelist: [], Period: "1m", PeriodTimespan: 30, Limit: 2, ...fields },
        }),
      ],
      GlobalConfiguration: { RateLimitOptions: global },
    });

  test("when a client exceeds Limit within Period, then 429 with Retry-After and 25.0's default quota message", async () => {
    await using gw = await limited({});
    const first = await gw.get("/rl/1", { headers: { "Oc-Client": "c1" } });
    expect(first.status).toBe(200);
    // RateLimiting.GetHeaders (25.0): limit is the rule's Limit, reset is StartedAt + Period in .NET's "o" format.
    expect(first.headers.get("x-rate-limit-limit")).toBe("2");
    expect(first.headers.get("x-rate-limit-remaining")).toBe("1");
    const reset = first.headers.get("x-rate-limit-reset") ?? "";
    expect(reset).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
    expect(Date.parse(reset)).toBeGreaterThan(Date.now() + 50_000);
    // One counter per client and route (25.0): another path of the same route counts against the same quota.
    expect((await gw.get("/rl/2", { headers: { "Oc-Client": "c1" } })).status).toBe(200);
    const over = await gw.get("/rl/3", { headers: { "Oc-Client": "c1" } });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = (await over.json()) as { detail: string };
    expect(body.detail).toBe("API calls quota exceeded! Maximum admitted 2 per 1m.");
    // Counters are per client: another client is still allowed.
    expect((await gw.get("/rl/1", { headers: { "Oc-Client": "c2" } })).status).toBe(200);
    const text = await (await gw.get("/metrics")).text();
    expect(text).toMatch(/^gateway_rate_limited_total\{.*route="\/rl\/\{x\}".*\} [1-9]\d*$/m);
  });

  test("when RateLimitOptions are present without EnableRateLimiting, then the route is limited (25.0: on unless disabled)", async () => {
    await using gw = await limited({ EnableRateLimiting: undefined, Limit: 1 });
    expect((await gw.get("/rl/1")).status).toBe(200);
    expect((await gw.get("/rl/1")).status).toBe(429);
  });

  const disabled: Array<{ name: string; fields: Record<string, unknown> }> = [
    { name: "EnableRateLimiting is false", fields: { EnableRateLimiting: false, Limit: 1 } },
    { name: "Limit is 0", fields: { Limit: 0 } },
  ];
  for (const c of disabled)
    test(`when ${c.name}, then the route is not rate limited and sends no X-Rate-Limit headers`, async () => {
      await using gw = await limited(c.fields);
      for (let i = 0; i < 3; i++) {
        const res = await gw.get("/rl/1", { headers: { "Oc-Client": "c1" } });
        expect(res.status).toBe(200);
        expect(res.headers.get("x-rate-limit-limit")).toBeNull();
      }
    });

  test("when the client is in ClientWhitelist, then it is never limited", async () => {
    await using gw = await limited({ ClientWhitelist: ["trusted"] });
    for (let i = 0; i < 4; i++) expect((await gw.get("/rl/1", { headers: { "Oc-Client": "trusted" } })).status).toBe(200);
  });

  test("when GlobalConfiguration sets ClientIdHeader, QuotaMessage and StatusCode, then they are used", async () => {
    await using gw = await limited({ Limit: 1 }, { ClientIdHeader: "X-Client", QuotaMessage: "slow down: {0} per {1}", StatusCode: 418 });
    expect((await gw.get("/rl/1", { headers: { "X-Client": "k" } })).status).toBe(200);
    const over = await gw.get("/rl/1", { headers: { "X-Client": "k" } });
    expect(over.status).toBe(418);
    expect(((await over.json()) as { detail: string }).detail).toBe("slow down: 1 per 1m");
    expect((await gw.get("/rl/1", { headers: { "X-Client": "other" } })).status).toBe(200);
  });

  test("when the obsolete HttpStatusCode and QuotaExceededMessage are set next to the new names, then the obsolete ones win (RateLimitOptions(FileRateLimitByHeaderRule))", async () => {
    await using gw = await limited({ Limit: 1, HttpStatusCode: 409, StatusCode: 418, QuotaExceededMessage: "old", QuotaMessage: "new" });
    await gw.get("/rl/1");
    const over = await gw.get("/rl/1");
    expect(over.status).toBe(409);
    expect(((await over.json()) as { detail: string }).detail).toBe("old");
  });

  const quiet: Array<{ name: string; fields: Record<string, unknown>; global?: Record<string, unknown> }> = [
    { name: "DisableRateLimitHeaders is true (global)", fields: { Limit: 1 }, global: { DisableRateLimitHeaders: true } },
    { name: "EnableHeaders is false", fields: { Limit: 1, EnableHeaders: false } },
  ];
  for (const c of quiet)
    test(`when ${c.name}, then no X-Rate-Limit or Retry-After headers are sent`, async () => {
      await using gw = await limited(c.fields, c.global);
      const ok = await gw.get("/rl/1");
      expect(ok.headers.get("x-rate-limit-limit")).toBeNull();
      const over = await gw.get("/rl/1");
      expect(over.status).toBe(429);
      expect(over.headers.get("retry-after")).toBeNull();
    });

  test("when requests carry no client id header, then they share one counter", async () => {
    await using gw = await limited({ Limit: 1 });
    expect((await gw.get("/rl/1")).status).toBe(200);
    expect((await gw.get("/rl/1")).status).toBe(429);
  });

  test("when the Period has passed and the Wait is over, then the client may call again", async () => {
    await using gw = await limited({ Period: "1s", PeriodTimespan: undefined, Wait: "500ms", Limit: 1 });
    expect((await gw.get("/rl/1")).status).toBe(200);
    expect((await gw.get("/rl/1")).status).toBe(429);
    await waitFor(async () => (await gw.get("/rl/1")).status === 200, {
      timeoutMs: 10_000,
      intervalMs: 250,
      what: "the rate limit window to reset",
    });
  });
});

describe("pipeline order [Ocelot middleware pipeline: rate limiting runs before authentication]", () => {
  let idp: TestIssuer;
  beforeAll(async () => {
    idp = await startTestIssuer();
  });
  afterAll(async () => {
    await idp.stop();
  });

  test("when unauthenticated requests exceed the limit, then the first gets 401 and the next 429", async () => {
    await using gw = await startGateway(
      {
        Routes: [
          route(a, {
            UpstreamPathTemplate: "/p/{x}",
            DownstreamPathTemplate: "/{x}",
            AuthenticationOptions: { AuthenticationProviderKey: "Keycloak" },
            RateLimitOptions: { Period: "1m", PeriodTimespan: 60, Limit: 1 },
          }),
        ],
      },
      { issuer: idp.issuer },
    );
    const unauthenticated = await gw.get("/p/1");
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get("x-rate-limit-remaining")).toBe("0");
    expect((await gw.get("/p/1", { token: await idp.token() })).status).toBe(429);
  });
});

describe("rate-limit partitions [Meridian extension: RateLimitOptions.MeridianPartitionKey, GlobalConfiguration.MeridianTrustedProxies]", () => {
  let idp: TestIssuer;
  beforeAll(async () => {
    idp = await startTestIssuer();
  });
  afterAll(async () => {
    await idp.stop();
  });
  const partitioned = (partitionKey: string, global: Record<string, unknown> = {}, authenticated = true) =>
    startGateway(
      {
        Routes: [
          route(a, {
            UpstreamPathTemplate: "/p/{x}",
            DownstreamPathTemplate: "/{x}",
            ...(authenticated ? { AuthenticationOptions: { AuthenticationProviderKey: "Keycloak", AllowedScopes: ["w"] } } : {}),
            RateLimitOptions: { EnableRateLimiting: true, Period: "1m", PeriodTimespan: 60, Limit: 3, MeridianPartitionKey: partitionKey },
          }),
        ],
        GlobalConfiguration: global,
      },
      { issuer: idp.issuer },
    );

  test("when keyed by Subject, then requests without a valid token get 401 and consume nobody's quota", async () => {
    await using gw = await partitioned("Subject");
    for (let i = 0; i < 10; i++) {
      const res = await gw.get(`/p/${i}`);
      expect(res.status).toBe(401);
      expect(res.headers.get("x-rate-limit-remaining")).toBeNull();
    }
    const wrongScope = await idp.token({ sub: "alice", scopes: ["other"] });
    for (let i = 0; i < 5; i++) expect((await gw.get("/p/1", { token: wrongScope })).status).toBe(403);
    const alice = await idp.token({ sub: "alice", scopes: ["w"] });
    const first = await gw.get("/p/1", { token: alice });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-rate-limit-remaining")).toBe("2");
  });

  test("when keyed by Subject, then a ClientId header changes nothing and one subject's excess leaves another's quota alone (counted per route, any path)", async () => {
    await using gw = await partitioned("Subject");
    const mallory = await idp.token({ sub: "mallory", scopes: ["w"] });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await gw.get(`/p/${i}`, { token: mallory, headers: { ClientId: `c${i}` } })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    expect((await gw.get("/p/1", { token: await idp.token({ sub: "alice", scopes: ["w"] }) })).status).toBe(200);
  });

  test("when keyed by Subject on a route without authentication, then the configuration is refused", () => {
    expect(() =>
      resolveConfiguration({
        Routes: [
          route(a, {
            UpstreamPathTemplate: "/p",
            DownstreamPathTemplate: "/p",
            RateLimitOptions: { EnableRateLimiting: true, Period: "1s", Limit: 1, MeridianPartitionKey: "Subject" },
          }),
        ],
      }),
    ).toThrow(/needs an authenticated route/);
  });

  test("when keyed by ClientAddress behind one trusted proxy, then the address the proxy saw counts and client-written X-Forwarded-For entries do not", async () => {
    await using gw = await partitioned("ClientAddress", { MeridianTrustedProxies: 1 }, false);
    const from = (chain: string) => gw.get("/p/1", { headers: { "x-forwarded-for": chain } }).then((r) => r.status);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await from(`10.9.9.${i}, 203.0.113.7`));
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(await from("203.0.113.8")).toBe(200);
  });

  test("when keyed by ClientAddress without trusted proxies, then X-Forwarded-For is ignored (the socket peer counts)", async () => {
    await using gw = await partitioned("ClientAddress", {}, false);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await gw.get("/p/1", { headers: { "x-forwarded-for": `198.51.100.${i}` } })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe("clientAddress", () => {
  const cases: Array<{ peer?: string; xff: string | null; trusted: number; expected?: string }> = [
    { peer: "10.0.0.1", xff: "1.1.1.1, 2.2.2.2", trusted: 0, expected: "10.0.0.1" },
    { peer: "10.0.0.1", xff: "1.1.1.1, 2.2.2.2", trusted: 1, expected: "2.2.2.2" },
    { peer: "10.0.0.1", xff: "1.1.1.1, 2.2.2.2", trusted: 2, expected: "1.1.1.1" },
    { peer: "10.0.0.1", xff: "2.2.2.2", trusted: 5, expected: "2.2.2.2" },
    { peer: "10.0.0.1", xff: null, trusted: 1, expected: "10.0.0.1" },
  ];
  for (const c of cases)
    test(`when the peer is ${c.peer}, X-Forwarded-For is ${c.xff} and ${c.trusted} proxies are trusted, then the client is ${c.expected}`, () => {
      expect(clientAddress(c.peer, c.xff, c.trusted)).toBe(c.expected);
    });
});

describe("streaming answers", () => {
  test("when the client drops a server-sent event stream, then the downstream stream is cancelled too", async () => {
    let cancelled = false;
    const encoder = new TextEncoder();
    const down = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () =>
        new Response(
          new ReadableStream({
            start: (c) => c.enqueue(encoder.encode("data: 1\n\n")),
            cancel: () => {
              cancelled = true;
            },
          }),
          { headers: { "content-type": "text/event-stream" } },
        ),
    });
    try {
      await using gw = await startGateway({
        Routes: [route(down.port as number, { UpstreamPathTemplate: "/s", DownstreamPathTemplate: "/s" })],
      });
      const client = new AbortController();
      const res = await fetch(`${gw.url}/s`, { signal: client.signal, headers: { accept: "text/event-stream" } });
      await res.body?.getReader().read();
      client.abort();
      await waitFor(() => cancelled || undefined, { timeoutMs: 5000, intervalMs: 50, what: "the downstream stream to be cancelled" });
      expect(cancelled).toBe(true);
    } finally {
      await down.stop(true);
    }
  });
});
