/**
 * Routing semantics, checked against Ocelot's documentation (docs/features/routing.rst, "Routing" chapter of
 * ocelot.readthedocs.io) and its unit tests (UpstreamTemplatePatternCreatorTests,
 * UrlPathPlaceholderNameAndValueFinderTests, DownstreamUrlCreatorMiddlewareTests).
 */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { connect } from "node:net";
import { resolveConfiguration } from "../src/config";
import { downstreamsForFile, echoOf, route, startGateway } from "./helpers";

// Real servers, circuit and rate-limit windows: more than bun's 5 s default (bunfig has no test timeout).
setDefaultTimeout(30_000);

const { a, b } = downstreamsForFile("a", "b");

interface Case {
  doc: string;
  name: string;
  routes: () => Array<Record<string, unknown>>;
  method?: string;
  path: string;
  /** Expected: downstream server and path+query it saw, or a gateway status. */
  expect: { server: string; path: string; query?: string; method?: string } | { status: number };
}

const cases: Case[] = [
  {
    doc: "Routing › Placeholders",
    name: "a placeholder is substituted into the downstream template",
    routes: () => [route(a, { UpstreamPathTemplate: "/posts/{postId}", DownstreamPathTemplate: "/api/posts/{postId}" })],
    path: "/posts/42",
    expect: { server: "a", path: "/api/posts/42" },
  },
  {
    doc: "Routing › Placeholders",
    name: "several placeholders keep their own values",
    routes: () => [
      route(a, {
        UpstreamPathTemplate: "/products/{productId}/variants/{variantId}",
        DownstreamPathTemplate: "/api/v/{variantId}/p/{productId}",
      }),
    ],
    path: "/products/7/variants/9",
    expect: { server: "a", path: "/api/v/9/p/7" },
  },
  {
    doc: "Routing › Placeholders (UpstreamTemplatePatternCreatorTests.Should_match_up_to_next_slash)",
    name: "a placeholder followed by more path matches exactly one segment",
    routes: () => [route(a, { UpstreamPathTemplate: "/api/v{apiVersion}/cards", DownstreamPathTemplate: "/cards/{apiVersion}" })],
    path: "/api/v2/extra/cards",
    expect: { status: 404 },
  },
  {
    doc: "Routing › Placeholders (a placeholder in the last segment matches the rest of the path)",
    name: "the last placeholder takes the remaining segments",
    routes: () => [route(a, { UpstreamPathTemplate: "/posts/{postId}", DownstreamPathTemplate: "/api/posts/{postId}" })],
    path: "/posts/1/comments/2",
    expect: { server: "a", path: "/api/posts/1/comments/2" },
  },
  {
    doc: "Routing › Placeholders (UrlPathPlaceholderNameAndValueFinderTests.Can_match_between_slashes)",
    name: "a placeholder inside a segment is matched between literals",
    routes: () => [route(a, { UpstreamPathTemplate: "/api/invoices/{url}-abcd", DownstreamPathTemplate: "/inv/{url}" })],
    path: "/api/invoices/123-abcd",
    expect: { server: "a", path: "/inv/123" },
  },
  {
    doc: "Routing › Catch All",
    name: "a /{url} route proxies every path and query straight through",
    routes: () => [route(a, { UpstreamPathTemplate: "/{url}", DownstreamPathTemplate: "/{url}" })],
    path: "/x/y/z?q=1",
    expect: { server: "a", path: "/x/y/z", query: "?q=1" },
  },
  {
    doc: "Routing › Catch All (the Catch All has a lower priority than any other Route)",
    name: "a specific route wins over a catch-all listed before it",
    routes: () => [
      route(a, { UpstreamPathTemplate: "/{url}", DownstreamPathTemplate: "/{url}" }),
      route(b, { UpstreamPathTemplate: "/", DownstreamPathTemplate: "/root" }),
    ],
    path: "/",
    expect: { server: "b", path: "/root" },
  },
  {
    doc: "Routing › Placeholders (catch-all style /api/{everything})",
    name: "{everything} under a prefix forwards the rest of the path",
    routes: () => [route(a, { UpstreamPathTemplate: "/orders/{everything}", DownstreamPathTemplate: "/api/orders/{everything}" })],
    path: "/orders/mine/page/2",
    expect: { server: "a", path: "/api/orders/mine/page/2" },
  },
  {
    doc: "Routing › Empty Placeholders (Ocelot 23.0, issue 748)",
    name: "an empty placeholder with the slash kept routes /invoices/ to /api/invoices/",
    routes: () => [route(a, { UpstreamPathTemplate: "/invoices/{url}", DownstreamPathTemplate: "/api/invoices/{url}" })],
    path: "/invoices/",
    expect: { server: "a", path: "/api/invoices/" },
  },
  {
    doc: "Routing › Empty Placeholders (Ocelot 23.0, issue 748)",
    name: "an empty placeholder without the last slash routes /invoices to /api/invoices",
    routes: () => [route(a, { UpstreamPathTemplate: "/invoices/{url}", DownstreamPathTemplate: "/api/invoices/{url}" })],
    path: "/invoices",
    expect: { server: "a", path: "/api/invoices" },
  },
  {
    doc: "Routing › Empty Placeholders",
    name: "a prefix that only starts the same word is not matched by the empty placeholder",
    routes: () => [route(a, { UpstreamPathTemplate: "/invoices/{url}", DownstreamPathTemplate: "/api/invoices/{url}" })],
    path: "/invoicesXYZ",
    expect: { status: 404 },
  },
  {
    doc: "Routing › Note, the default Routing configuration is case insensitive",
    name: "case-insensitive matching is the default",
    routes: () => [route(a, { UpstreamPathTemplate: "/Orders/{id}", DownstreamPathTemplate: "/api/orders/{id}" })],
    path: "/oRDERS/5",
    expect: { server: "a", path: "/api/orders/5" },
  },
  {
    doc: "Routing › RouteIsCaseSensitive",
    name: "RouteIsCaseSensitive true refuses a path in other case",
    routes: () => [
      route(a, { UpstreamPathTemplate: "/Orders/{id}", DownstreamPathTemplate: "/api/orders/{id}", RouteIsCaseSensitive: true }),
    ],
    path: "/orders/5",
    expect: { status: 404 },
  },
  {
    doc: "Routing › RouteIsCaseSensitive",
    name: "RouteIsCaseSensitive true accepts the exact case",
    routes: () => [
      route(a, { UpstreamPathTemplate: "/Orders/{id}", DownstreamPathTemplate: "/api/orders/{id}", RouteIsCaseSensitive: true }),
    ],
    path: "/Orders/5",
    expect: { server: "a", path: "/api/orders/5" },
  },
  {
    doc: "UpstreamTemplatePatternCreatorTests.Should_match_forward_slash_or_no_forward_slash_if_template_end_with_forward_slash",
    name: "a template ending in / also matches the path without it, and the downstream slash is trimmed",
    routes: () => [route(a, { UpstreamPathTemplate: "/products/", DownstreamPathTemplate: "/api/products/" })],
    path: "/products",
    expect: { server: "a", path: "/api/products" },
  },
  {
    doc: "UpstreamTemplatePatternCreatorTests (template without trailing slash is anchored with $)",
    name: "a template without trailing slash does not match a path with one",
    routes: () => [route(a, { UpstreamPathTemplate: "/products", DownstreamPathTemplate: "/api/products" })],
    path: "/products/",
    expect: { status: 404 },
  },
  {
    doc: "Routing › UpstreamHttpMethod",
    name: "a method not in UpstreamHttpMethod finds no route",
    routes: () => [route(a, { UpstreamPathTemplate: "/posts/{id}", DownstreamPathTemplate: "/p/{id}", UpstreamHttpMethod: ["Get"] })],
    method: "POST",
    path: "/posts/1",
    expect: { status: 404 },
  },
  {
    doc: "Routing › UpstreamHttpMethod (set an empty list to allow any of them)",
    name: "an empty UpstreamHttpMethod allows any method",
    routes: () => [route(a, { UpstreamPathTemplate: "/posts/{id}", DownstreamPathTemplate: "/p/{id}", UpstreamHttpMethod: [] })],
    method: "DELETE",
    path: "/posts/1",
    expect: { server: "a", path: "/p/1", method: "DELETE" },
  },
  {
    doc: "Routing › UpstreamHttpMethod (distinguish requests with different verbs to the same URL)",
    name: "the same template routes by method to different services",
    routes: () => [
      route(a, { UpstreamPathTemplate: "/posts/{id}", DownstreamPathTemplate: "/read/{id}", UpstreamHttpMethod: ["Get"] }),
      route(b, { UpstreamPathTemplate: "/posts/{id}", DownstreamPathTemplate: "/write/{id}", UpstreamHttpMethod: ["Put", "Delete"] }),
    ],
    method: "PUT",
    path: "/posts/3",
    expect: { server: "b", path: "/write/3", method: "PUT" },
  },
  {
    doc: "Routing › Priority",
    name: "a higher Priority wins over an earlier catch-all",
    routes: () => [
      route(a, { UpstreamPathTemplate: "/goods/{catchAll}", DownstreamPathTemplate: "/all/{catchAll}", Priority: 0 }),
      route(b, { UpstreamPathTemplate: "/goods/delete", DownstreamPathTemplate: "/delete", Priority: 1 }),
    ],
    path: "/goods/delete",
    expect: { server: "b", path: "/delete" },
  },
  {
    doc: "Routing › Priority (previously it would have matched /goods/{catchAll}, because this is the first Route in the list)",
    name: "with equal priorities the first route in the file wins",
    routes: () => [
      route(a, { UpstreamPathTemplate: "/goods/{catchAll}", DownstreamPathTemplate: "/all/{catchAll}" }),
      route(b, { UpstreamPathTemplate: "/goods/delete", DownstreamPathTemplate: "/delete" }),
    ],
    path: "/goods/delete",
    expect: { server: "a", path: "/all/delete" },
  },
  {
    doc: "Routing › Catch All (forward any path + query string combinations)",
    name: "the upstream query string is passed downstream",
    routes: () => [route(a, { UpstreamPathTemplate: "/posts/{id}", DownstreamPathTemplate: "/api/posts/{id}" })],
    path: "/posts/1?sort=desc&page=2",
    expect: { server: "a", path: "/api/posts/1", query: "?sort=desc&page=2" },
  },
  // Ocelot 25.0 DownstreamUrlCreatorMiddleware.RemoveQueryStringParametersThatHaveBeenUsedInTemplate: the client's
  // query is parsed and rebuilt, each key and value escaped as Uri.EscapeDataString.
  {
    doc: "DownstreamUrlCreatorMiddleware 25.0 (form-decoded, re-escaped as Uri.EscapeDataString)",
    name: "a + arrives as a space and goes down as %20, a : as %3A",
    routes: () => [route(a, { UpstreamPathTemplate: "/posts/{id}", DownstreamPathTemplate: "/api/posts/{id}" })],
    path: "/posts/1?q=a+b&t=10:30&u=%C3%A9",
    expect: { server: "a", path: "/api/posts/1", query: "?q=a%20b&t=10%3A30&u=%C3%A9" },
  },
  {
    doc: "DownstreamUrlCreatorMiddleware 25.0 (RFC 3986 unreserved only, as Uri.EscapeDataString)",
    name: "the characters JavaScript leaves alone but .NET escapes (!'()*) are escaped",
    routes: () => [route(a, { UpstreamPathTemplate: "/posts/{id}", DownstreamPathTemplate: "/api/posts/{id}" })],
    path: "/posts/1?s=it's(1)*!",
    expect: { server: "a", path: "/api/posts/1", query: "?s=it%27s%281%29%2A%21" },
  },
  {
    doc: "DownstreamUrlCreatorMiddleware 25.0 (QueryHelpers.ParseQuery: a key without a value has the empty value)",
    name: "a key without a value goes down as key=",
    routes: () => [route(a, { UpstreamPathTemplate: "/posts/{id}", DownstreamPathTemplate: "/api/posts/{id}" })],
    path: "/posts/1?flag&x=",
    expect: { server: "a", path: "/api/posts/1", query: "?flag=&x=" },
  },
  {
    doc: "DownstreamUrlCreatorMiddleware 25.0 (parameters named like a placeholder of the downstream path are dropped)",
    name: "a parameter named like a path placeholder is dropped, whatever its value or case",
    routes: () => [route(a, { UpstreamPathTemplate: "/posts/{id}", DownstreamPathTemplate: "/api/posts/{id}" })],
    path: "/posts/1?ID=9&x=1",
    expect: { server: "a", path: "/api/posts/1", query: "?x=1" },
  },
  {
    doc: "DownstreamUrlCreatorMiddleware 25.0 (ParseQuery groups the values of one key)",
    name: "repeated keys keep every value, grouped in first-seen order",
    routes: () => [route(a, { UpstreamPathTemplate: "/posts/{id}", DownstreamPathTemplate: "/api/posts/{id}" })],
    path: "/posts/1?a=1&b=2&a=3",
    expect: { server: "a", path: "/api/posts/1", query: "?a=1&a=3&b=2" },
  },
  {
    doc: "Routing › Query String Placeholders › Query String to Path direction",
    name: "a query placeholder in the upstream template moves into the downstream path",
    routes: () => [
      route(a, {
        UpstreamPathTemplate: "/api/subscriptions/{subscriptionId}/updates?unitId={uid}",
        DownstreamPathTemplate: "/api/units/{subscriptionId}/{uid}/updates",
      }),
    ],
    path: "/api/subscriptions/1/updates?unitId=2",
    expect: { server: "a", path: "/api/units/1/2/updates", query: "?unitId=2" },
  },
  {
    doc: "Routing › Query String Placeholders › Query String to Path direction (the query string starts with unitId=)",
    name: "a query template does not match when the parameter is missing",
    routes: () => [
      route(a, {
        UpstreamPathTemplate: "/api/subscriptions/{subscriptionId}/updates?unitId={uid}",
        DownstreamPathTemplate: "/api/units/{subscriptionId}/{uid}/updates",
      }),
    ],
    path: "/api/subscriptions/1/updates?other=2",
    expect: { status: 404 },
  },
  {
    doc: "Routing › Query String Placeholders › Path to Query String direction",
    name: "a path placeholder becomes a downstream query parameter",
    routes: () => [
      route(a, {
        UpstreamPathTemplate: "/api/units/{subscription}/{unit}/updates",
        DownstreamPathTemplate: "/api/subscriptions/{subscription}/updates?unitId={unit}",
      }),
    ],
    path: "/api/units/1/2/updates",
    expect: { server: "a", path: "/api/subscriptions/1/updates", query: "?unitId=2" },
  },
  {
    doc: "Routing › Catch All Query String",
    name: "?{everything} forwards all query parameters",
    routes: () => [
      route(a, { UpstreamPathTemplate: "/contracts?{everything}", DownstreamPathTemplate: "/apipath/contracts?{everything}" }),
    ],
    path: "/contracts?a=1&b=2",
    expect: { server: "a", path: "/apipath/contracts", query: "?a=1&b=2" },
  },
  {
    doc: "Routing › Catch All Query String (upstream /contracts is routed to /apipath/contracts, no query string)",
    name: "?{everything} may be empty",
    routes: () => [
      route(a, { UpstreamPathTemplate: "/contracts?{everything}", DownstreamPathTemplate: "/apipath/contracts?{everything}" }),
    ],
    path: "/contracts",
    expect: { server: "a", path: "/apipath/contracts", query: "" },
  },
  {
    doc: "Routing › Restrictions on use (issue 952: same names remove the old parameter)",
    name: "a query parameter consumed by a same-named placeholder is not passed on",
    routes: () => [route(a, { UpstreamPathTemplate: "/users?userId={userId}", DownstreamPathTemplate: "/persons?personId={userId}" })],
    path: "/users?userId=5&x=1",
    expect: { server: "a", path: "/persons", query: "?personId=5&x=1" },
  },
  {
    doc: "Method Transformation (DownstreamHttpMethod)",
    name: "DownstreamHttpMethod changes the method sent downstream",
    routes: () => [route(a, { UpstreamPathTemplate: "/q/{id}", DownstreamPathTemplate: "/q/{id}", DownstreamHttpMethod: "POST" })],
    path: "/q/1",
    expect: { server: "a", path: "/q/1", method: "POST" },
  },
  {
    doc: "Error Handling › 404 Not Found (a downstream route cannot be found)",
    name: "no matching route answers 404",
    routes: () => [route(a, { UpstreamPathTemplate: "/posts/{id}", DownstreamPathTemplate: "/p/{id}" })],
    path: "/comments/1",
    expect: { status: 404 },
  },
];

describe("routing (Ocelot semantics)", () => {
  for (const c of cases) {
    test(`when ${c.name}, then ${"status" in c.expect ? `the gateway answers ${c.expect.status}` : `${c.expect.server} sees ${c.expect.path}`} [${c.doc}]`, async () => {
      await using gw = await startGateway({ Routes: c.routes() });
      const res = await gw.request(c.method ?? "GET", c.path);
      if ("status" in c.expect) {
        expect(res.status).toBe(c.expect.status);
        expect(res.headers.get("content-type")).toContain("application/problem+json");
        return;
      }
      const echo = await echoOf(res);
      expect(echo.server).toBe(c.expect.server);
      expect(echo.path).toBe(c.expect.path);
      if (c.expect.query !== undefined) expect(echo.query).toBe(c.expect.query);
      if (c.expect.method) expect(echo.method).toBe(c.expect.method);
    });
  }

  test("when two routes share a template and method, then the configuration is rejected [FileConfigurationFluentValidator: duplicate routes]", async () => {
    await expect(
      startGateway({
        Routes: [
          route(a, { UpstreamPathTemplate: "/x", DownstreamPathTemplate: "/1", UpstreamHttpMethod: ["Get"] }),
          route(b, { UpstreamPathTemplate: "/x", DownstreamPathTemplate: "/2", UpstreamHttpMethod: ["Get", "Post"] }),
        ],
      }),
    ).rejects.toThrow(/same method/);
  });

  // FileConfigurationFluentValidator.IsNotDuplicateIn: ordinal template equality, same UpstreamHost; refused when a
  // method repeats, two routes allow every method, or one allows every method and the other names some.
  const duplicates: Array<{ name: string; first: Record<string, unknown>; second: Record<string, unknown>; refused: boolean }> = [
    { name: "both allow every method", first: {}, second: {}, refused: true },
    { name: "one allows every method and the other names GET", first: {}, second: { UpstreamHttpMethod: ["Get"] }, refused: true },
    {
      name: "the methods differ (GET, POST)",
      first: { UpstreamHttpMethod: ["Get"] },
      second: { UpstreamHttpMethod: ["Post"] },
      refused: false,
    },
    {
      name: "the methods repeat in another case (Get, GET)",
      first: { UpstreamHttpMethod: ["Get"] },
      second: { UpstreamHttpMethod: ["GET"] },
      refused: true,
    },
    { name: "the templates differ only in case (/x, /X)", first: {}, second: { UpstreamPathTemplate: "/X" }, refused: false },
    { name: "the UpstreamHost differs", first: {}, second: { UpstreamHost: "other.example" }, refused: false },
  ];
  for (const c of duplicates)
    test(`when two routes share a template and ${c.name}, then the configuration is ${c.refused ? "refused" : "accepted"}`, () => {
      const load = () =>
        resolveConfiguration({
          Routes: [
            route(a, { UpstreamPathTemplate: "/x", DownstreamPathTemplate: "/1", ...c.first }),
            route(b, { UpstreamPathTemplate: "/x", DownstreamPathTemplate: "/2", ...c.second }),
          ],
        });
      if (c.refused) expect(load).toThrow(/same method/);
      else expect(load().routes).toHaveLength(2);
    });

  test("when a route carries every Ocelot template field with nulls, zeros and unknown options, then it loads and routes", async () => {
    await using gw = await startGateway({
      Routes: [
        {
          DownstreamPathTemplate: "/api/{id}",
          UpstreamPathTemplate: "/full/{id}",
          UpstreamHttpMethod: ["Get"],
          DownstreamHttpMethod: null,
          AddHeadersToRequest: {},
          UpstreamHeaderTransform: {},
          DownstreamHeaderTransform: {},
          AddClaimsToRequest: {},
          RouteClaimsRequirement: {},
          AddQueriesToRequest: {},
          RequestIdKey: null,
          FileCacheOptions: { TtlSeconds: 0, Region: null },
          RouteIsCaseSensitive: false,
          ServiceName: null,
          DownstreamScheme: "http",
          DownstreamHostAndPorts: [{ Host: "127.0.0.1", Port: a.port }],
          QoSOptions: { ExceptionsAllowedBeforeBreaking: 0, DurationOfBreak: 0, TimeoutValue: 0 },
          LoadBalancerOptions: { Type: null, Key: null, Expiry: 0 },
          RateLimitOptions: { ClientWhitelist: [], EnableRateLimiting: false, Period: null, PeriodTimespan: 0, Limit: 0 },
          AuthenticationOptions: { AuthenticationProviderKey: null, AllowedScopes: [] },
          HttpHandlerOptions: { AllowAutoRedirect: false, UseCookieContainer: false, UseTracing: false, UseProxy: true },
          UpstreamHost: null,
          Key: null,
          DelegatingHandlers: [],
          Priority: 1,
          Timeout: 0,
          DangerousAcceptAnyServerCertificateValidator: false,
        },
      ],
      GlobalConfiguration: { BaseUrl: null, RequestIdKey: null, ServiceDiscoveryProvider: null, RateLimitOptions: null, QoSOptions: null },
    });
    const echo = await echoOf(await gw.get("/full/7"));
    expect(echo.path).toBe("/api/7");
  });

  test("when configuration keys use other casing, then they are read like .NET configuration binding does", async () => {
    await using gw = await startGateway({
      routes: [
        {
          upstreamPathTemplate: "/lower/{id}",
          downstreamPathTemplate: "/api/{id}",
          downstreamScheme: "http",
          downstreamHostAndPorts: [{ host: "127.0.0.1", port: a.port }],
        },
      ],
    });
    const echo = await echoOf(await gw.get("/lower/3"));
    expect(echo.path).toBe("/api/3");
  });
});

describe("routing: UpstreamHost [Routing › Upstream Host]", () => {
  test("when a route names an UpstreamHost, then it is preferred for that Host and skipped for others", async () => {
    await using gw = await startGateway({
      Routes: [
        route(a, { UpstreamPathTemplate: "/h", DownstreamPathTemplate: "/any", UpstreamHttpMethod: ["Get"] }),
        route(b, {
          UpstreamPathTemplate: "/h",
          DownstreamPathTemplate: "/special",
          UpstreamHttpMethod: ["Get"],
          UpstreamHost: "special.example",
        }),
      ],
    });
    const special = await echoOf(await gw.get("/h", { headers: { host: "special.example" } }));
    expect(special.path).toBe("/special");
    const other = await echoOf(await gw.get("/h"));
    expect(other.path).toBe("/any");
  });
});

/** Sends a request line exactly as given (fetch would normalise the path first). */
function rawGet(base: string, target: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
    });
    let data = "";
    socket.on("data", (chunk) => {
      data += chunk.toString();
    });
    socket.on("end", () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)));
    socket.on("error", reject);
  });
}

describe("routing: path traversal never escapes the matched template", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway({
      Routes: [route(a, { UpstreamPathTemplate: "/orders/{everything}", DownstreamPathTemplate: "/api/orders/{everything}" })],
    });
  });
  afterAll(async () => {
    await gw.stop();
  });

  const refused = ["/orders/..%2F..%2Faudit", "/orders/a%2Fb", "/orders/a%5C..%5Cb", "/orders/a%00b"];
  for (const path of refused) {
    test(`when the path is ${path}, then 400 and nothing reaches downstream`, async () => {
      const before = a.received.length;
      const res = await gw.get(path);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(a.received.length).toBe(before);
    });
  }

  test("when the raw request line climbs out with ../, then it is resolved before routing and finds no route", async () => {
    const before = a.received.length;
    expect(await rawGet(gw.url, "/orders/../audit/events")).toBe(404);
    expect(await rawGet(gw.url, "/orders/%2e%2e/%2e%2e/audit")).toBe(404);
    expect(a.received.length).toBe(before);
  });

  test("when a segment holds an encoded space, then it reaches downstream still encoded inside the template", async () => {
    const echo = await echoOf(await gw.get("/orders/a%20b/c"));
    expect(echo.path).toBe("/api/orders/a%20b/c");
  });
});

describe("request and response bodies", () => {
  test("when a client sends a body with POST, PUT or PATCH, then the downstream receives it byte for byte", async () => {
    await using gw = await startGateway({ Routes: [route(a, { UpstreamPathTemplate: "/{url}", DownstreamPathTemplate: "/{url}" })] });
    const body = JSON.stringify({ lines: Array.from({ length: 2000 }, (_, i) => ({ sku: `SKU-${i}`, quantity: i })) });
    for (const method of ["POST", "PUT", "PATCH"]) {
      const echo = await echoOf(await gw.request(method, "/orders", { body, headers: { "content-type": "application/json" } }));
      expect(echo.method).toBe(method);
      expect(echo.body).toBe(body);
      expect(echo.headers["content-type"]).toBe("application/json");
    }
  });

  test("when a client sends HEAD, then the downstream answer comes back without a body", async () => {
    await using gw = await startGateway({ Routes: [route(a, { UpstreamPathTemplate: "/{url}", DownstreamPathTemplate: "/{url}" })] });
    const res = await gw.request("HEAD", "/h");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(a.received.at(-1)?.method).toBe("HEAD");
  });
});

describe("headers transformation [headerstransformation.rst]", () => {
  test("when UpstreamHeaderTransform has find and replace, then the downstream gets the replaced value; without a comma it adds the header", async () => {
    await using gw = await startGateway({
      Routes: [
        route(a, {
          UpstreamPathTemplate: "/ht/{x}",
          DownstreamPathTemplate: "/{x}",
          UpstreamHeaderTransform: { Test: "http://www.bbc.co.uk/, http://ocelot.com/", Uncle: "Bob", "X-Gateway-Host": "{UpstreamHost}" },
        }),
      ],
    });
    const echo = await echoOf(await gw.get("/ht/1", { headers: { Test: "http://www.bbc.co.uk/" } }));
    expect(echo.headers.test).toBe("http://ocelot.com/");
    expect(echo.headers.uncle).toBe("Bob");
    expect(echo.headers["x-gateway-host"]).toBe(new URL(gw.url).host);
  });

  test("when DownstreamHeaderTransform rewrites Location from {DownstreamBaseUrl} to {BaseUrl}, then the client sees the gateway's URL and the 302 is not followed", async () => {
    await using gw = await startGateway({
      Routes: [
        route(a, {
          UpstreamPathTemplate: "/dt/{x}",
          DownstreamPathTemplate: "/{x}",
          DownstreamHeaderTransform: { Location: "{DownstreamBaseUrl}, {BaseUrl}", Uncle: "Bob" },
        }),
      ],
      GlobalConfiguration: { BaseUrl: "http://gateway.example" },
    });
    const res = await gw.get("/dt/redirect", { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("http://gateway.example/elsewhere");
    expect(res.headers.get("uncle")).toBe("Bob");
  });
});
