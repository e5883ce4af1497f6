/**
 * The pipeline's seams on their own: route table, request line, circuit breaker, rate limiter and query rebuild
 * (the HTTP-level behaviour is in routing/auth/resilience tests).
 */
import { describe, expect, test } from "bun:test";
import { waitFor } from "@meridian/kit/testing";
import { breakerDefaults, resolveConfiguration, type RateLimitRule, type RouteConfig } from "../src/config";
import { CallDeadlines, TimedCall } from "../src/deadlines";
import { CircuitBreaker } from "../src/qos";
import { RateLimiter } from "../src/ratelimit";
import { clientAddress, splitUrl, validatePath } from "../src/request-line";
import { createRouteTable } from "../src/route-table";
import { escapeDataString, rebuildQuery } from "../src/template";

const hosts = [{ Host: "127.0.0.1", Port: 1 }];

describe("route table [DownstreamRouteFinder: priority, file order, UpstreamHost preferred]", () => {
  const config = resolveConfiguration({
    Routes: [
      { Key: "all", UpstreamPathTemplate: "/{url}", DownstreamPathTemplate: "/{url}", DownstreamHostAndPorts: hosts },
      {
        Key: "get-a",
        UpstreamPathTemplate: "/a/{x}",
        UpstreamHttpMethod: ["Get"],
        DownstreamPathTemplate: "/{x}",
        DownstreamHostAndPorts: hosts,
      },
      {
        Key: "a-host",
        UpstreamPathTemplate: "/a/{x}",
        UpstreamHost: "api.example",
        DownstreamPathTemplate: "/{x}",
        DownstreamHostAndPorts: hosts,
      },
      { Key: "a-exact", UpstreamPathTemplate: "/a/b", Priority: 2, DownstreamPathTemplate: "/b", DownstreamHostAndPorts: hosts },
    ],
  });
  const table = createRouteTable(config.routes.map((route: RouteConfig) => ({ route })));
  const cases: Array<[string, string, string, string]> = [
    ["GET", "gw.example", "/a/1", "get-a"],
    ["POST", "gw.example", "/a/1", "all"],
    ["GET", "api.example:8080", "/a/1", "a-host"],
    ["GET", "gw.example", "/a/b", "a-exact"],
    ["DELETE", "gw.example", "/z", "all"],
  ];
  for (const [method, host, path, key] of cases)
    test(`when ${method} ${host}${path}, then route ${key}`, () => {
      expect(table.find(method, host, path, "")?.route.id).toBe(key);
    });
});

describe("request line", () => {
  test("when a URL has a query and a fragment, then path and query are split without the fragment", () => {
    expect(splitUrl("http://h:1/a/b?x=1#f")).toEqual({ rawPath: "/a/b", rawQuery: "?x=1" });
    expect(splitUrl("http://h:1")).toEqual({ rawPath: "/", rawQuery: "" });
  });
  test("when the path has encoded separators or dot segments, then it is refused; plain paths pass untouched", () => {
    expect(validatePath("/a/b")).toBe("/a/b");
    expect(validatePath("/a/%C3%A9")).toBe("/a/é");
    for (const bad of ["/a%2fb", "/a%5Cb", "/a%00", "/a/%2e%2e/b"]) expect(() => validatePath(bad)).toThrow();
  });
  test("when no proxy is trusted, then X-Forwarded-For is ignored", () => {
    expect(clientAddress("10.0.0.1", "1.1.1.1", 0)).toBe("10.0.0.1");
  });
});

describe("circuit breaker [Polly v8 CircuitBreakerStrategyOptions as Ocelot 25.0 sets them]", () => {
  const rule = { minimumThroughput: 4, failureRatio: 0.5, samplingMs: 60_000, breakMs: 60_000 };
  test("when fewer calls than MinimumThroughput failed, then it stays closed even at a 100 % failure ratio", () => {
    const b = new CircuitBreaker(rule);
    for (let i = 0; i < 3; i++) b.failure();
    expect(b.current).toBe("closed");
    b.failure();
    expect(b.current).toBe("open");
    expect(b.tryAcquire()).toBe(false);
  });
  test("when the failure ratio stays below FailureRatio, then it stays closed", () => {
    const b = new CircuitBreaker(rule);
    for (let i = 0; i < 10; i++) {
      b.success();
      if (i % 3 === 0) b.failure();
    }
    expect(b.current).toBe("closed");
  });
  test("when there is no rule, then every call may go and nothing is counted", () => {
    const b = new CircuitBreaker(undefined);
    for (let i = 0; i < 200; i++) b.failure();
    expect(b.tryAcquire()).toBe(true);
  });
  test("defaults are 25.0's (5 s break, 100 calls, 0.8, 10 s)", () => {
    expect(breakerDefaults).toEqual({ breakMs: 5_000, minimumThroughput: 100, failureRatio: 0.8, samplingMs: 10_000 });
  });
});

describe("rate limiter [RateLimiting.Count/RetryAfter of Ocelot 25.0]", () => {
  const rule: RateLimitRule = {
    partitionKey: "ClientIdHeader",
    clientWhitelist: [],
    period: "1s",
    periodMs: 1000,
    waitMs: 2000,
    limit: 2,
    clientIdHeader: "Oc-Client",
    quotaMessage: "",
    statusCode: 429,
    enableHeaders: true,
  };
  test("when the limit is exceeded, then the client waits Wait from the moment of exceeding, then counts anew", () => {
    const limiter = new RateLimiter("p");
    const t0 = 1_000_000;
    expect(limiter.check("r", "c", rule, t0).allowed).toBe(true);
    expect(limiter.check("r", "c", rule, t0 + 10).allowed).toBe(true);
    const over = limiter.check("r", "c", rule, t0 + 20);
    expect(over.allowed).toBe(false);
    expect(over.retryAfterSec).toBe(2);
    expect(limiter.check("r", "c", rule, t0 + 1500).allowed).toBe(false); // window over, wait not
    expect(limiter.check("r", "c", rule, t0 + 2100).allowed).toBe(true);
  });
  test("when two routes are called, then each has its own counter", () => {
    const limiter = new RateLimiter("p");
    for (let i = 0; i < 2; i++) limiter.check("r1", "c", rule, 5);
    expect(limiter.check("r1", "c", rule, 6).allowed).toBe(false);
    expect(limiter.check("r2", "c", rule, 6).allowed).toBe(true);
  });
});

describe("query rebuild [DownstreamUrlCreatorMiddleware 25.0, Uri.EscapeDataString]", () => {
  test("when text is escaped, then only RFC 3986 unreserved characters stay", () => {
    expect(escapeDataString("a b:c/d?e&f=g!'()*~._-é")).toBe("a%20b%3Ac%2Fd%3Fe%26f%3Dg%21%27%28%29%2A~._-%C3%A9");
  });
  test("when a legacy ?a=1?b=2 query arrives, then it is read as two parameters", () => {
    expect(rebuildQuery("?a=1?b=2", new Set())).toBe("?a=1&b=2");
  });
  test("when a malformed escape arrives, then it is kept as written and escaped", () => {
    expect(rebuildQuery("?a=%zz", new Set())).toBe("?a=%25zz");
  });
  test("when every parameter is dropped, then there is no query", () => {
    expect(rebuildQuery("?id=1", new Set(["id"]))).toBe("");
  });
});

describe("call deadlines (one timer per route)", () => {
  class Call extends TimedCall {
    expiredAt?: number;
    expire(): void {
      this.expiredAt = performance.now();
    }
  }

  test("when a call finishes in time, then it never expires; when a later call outlives the timeout, then it expires on its own deadline", async () => {
    const deadlines = new CallDeadlines(150);
    const started = performance.now();
    const done = new Call();
    deadlines.add(done);
    await Bun.sleep(80);
    const late = new Call();
    deadlines.add(late);
    deadlines.remove(done);
    await Bun.sleep(120);
    // The first call's deadline has passed; the second's has not.
    expect(done.expiredAt).toBeUndefined();
    expect(late.expiredAt).toBeUndefined();
    await waitFor(() => late.expiredAt, { timeoutMs: 2000, intervalMs: 5, what: "the late call to expire" });
    expect((late.expiredAt as number) - started).toBeGreaterThanOrEqual(225);
    expect(deadlines.size).toBe(0);
  });

  test("when calls are removed from the middle, the front and the back, then the others stay queued in order", () => {
    const deadlines = new CallDeadlines(60_000);
    const calls = [new Call(), new Call(), new Call(), new Call()];
    for (const c of calls) deadlines.add(c);
    deadlines.remove(calls[1] as Call);
    deadlines.remove(calls[0] as Call);
    deadlines.remove(calls[3] as Call);
    deadlines.remove(calls[3] as Call);
    expect(deadlines.size).toBe(1);
    deadlines.remove(calls[2] as Call);
    expect(deadlines.size).toBe(0);
  });
});
