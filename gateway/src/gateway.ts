/**
 * The gateway's request pipeline, in Ocelot's middleware order: find route (404) → rate limiting (429) →
 * request id → authentication (401) → authorization: scopes, then claims (403) → claims to headers →
 * downstream URL → circuit breaker (503) → load balancer → downstream request with timeout (503/502).
 */
import { metrics, propagation, context as otelContext, trace } from "@opentelemetry/api";
import { ProblemError, problemResponse, problems, setHttpRoute, type Logger } from "@meridian/kit";
import { bearerChallenge, bearerToken, type AuthContext, type TokenVerifier } from "@meridian/kit/auth";
import { Elysia } from "elysia";
import type { GatewayRoutes, RouteConfig } from "./config";
import { applyHeaderTransforms, downstreamRequestHeaders, parseCookies, upstreamResponseHeaders } from "./headers";
import { LoadBalancer } from "./loadbalancer";
import { CircuitBreaker, SERVER_ERROR_CODES, type CircuitState } from "./qos";
import { RateLimiter } from "./ratelimit";
import { createDownstreamUrl, matches } from "./template";

export interface GatewayOptions {
  config: GatewayRoutes;
  /** Required when any route is authenticated. */
  verifier?: TokenVerifier;
  logger: Logger;
  service?: string;
}

type AuthFailureReason = "missing_token" | "invalid_token" | "insufficient_scope" | "claim_mismatch";

interface RouteRuntime {
  route: RouteConfig;
  balancer: LoadBalancer;
  breaker: CircuitBreaker;
}

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, "half-open": 1, open: 2 };

/** String values of a claim: arrays give one value per element (as ASP.NET maps JSON arrays to claims). */
export function claimValues(claims: Record<string, unknown>, type: string): string[] {
  const value = claims[type];
  if (value === undefined || value === null) return [];
  const one = (v: unknown): string => (typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v));
  return Array.isArray(value) ? value.map(one) : [one(value)];
}

class GatewayError extends Error {
  constructor(
    readonly problem: ProblemError,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.message);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function validatePath(rawPath: string): string {
  // Encoded separators and NUL would let a placeholder value reach outside its template downstream.
  if (/%2f|%5c|%00/i.test(rawPath) || rawPath.includes("\\"))
    throw new GatewayError(problems.badRequest("encoded slashes, backslashes and NUL are not allowed in the path"));
  const segments = rawPath.split("/").map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new GatewayError(problems.badRequest("the path has malformed percent-encoding"));
    }
  });
  if (segments.some((s) => s === "." || s === ".."))
    throw new GatewayError(problems.badRequest("dot segments are not allowed in the path"));
  return segments.join("/");
}

/** The query string without every occurrence of parameter `name` (a token must not travel further). */
function withoutParameter(query: string, name: string): string {
  if (!query || query === "?") return query;
  const kept = query
    .slice(1)
    .split("&")
    .filter((pair) => safeDecode((pair.split("=")[0] ?? "").replace(/\+/g, " ")) !== name);
  return kept.length ? `?${kept.join("&")}` : "";
}

/**
 * The client's address: the socket peer, or with `trustedProxies` proxies in front of the gateway the X-Forwarded-For
 * entry that the outermost trusted proxy saw (entries further left were written by the client and prove nothing).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | null, trustedProxies: number): string | undefined {
  if (trustedProxies <= 0 || !forwardedFor) return peer;
  const hops = forwardedFor.split(",").map((h) => h.trim()).filter(Boolean);
  if (peer) hops.push(peer);
  return hops[Math.max(0, hops.length - 1 - trustedProxies)] ?? peer;
}

export function createGateway(options: GatewayOptions) {
  const { config, verifier, logger } = options;
  if (!verifier && config.routes.some((r) => r.authenticated))
    throw new Error("routes use AuthenticationOptions but no OIDC issuer is configured (OIDC_ISSUER)");

  const meter = metrics.getMeter("meridian-gateway");
  const authFailures = meter.createCounter("gateway_auth_failures", {
    description: "Requests the gateway refused for authentication or authorization",
  });
  const rateLimited = meter.createCounter("gateway_rate_limited", {
    description: "Requests the gateway refused for exceeding a route's rate limit",
  });
  const circuitGauge = meter.createObservableGauge("gateway_circuit_state", {
    description: "Circuit breaker state per route: 0 closed, 1 half-open, 2 open",
  });

  for (const r of config.routes)
    if (!r.authenticated && (r.allowedScopes.length > 0 || Object.keys(r.claimsRequirement).length > 0))
      logger.warn({ route: r.id }, "route has AllowedScopes or RouteClaimsRequirement but no authentication provider");
  const limiter = new RateLimiter(config.rateLimitCounterPrefix);
  const runtimes: RouteRuntime[] = config.routes.map((route) => ({
    route,
    balancer: new LoadBalancer(route),
    breaker: new CircuitBreaker(route.qos.failuresBeforeBreaking, route.qos.breakMs, (state) =>
      logger.warn({ route: route.id, state }, "circuit state changed"),
    ),
  }));
  circuitGauge.addCallback((result) => {
    for (const rt of runtimes)
      if (rt.route.qos.failuresBeforeBreaking > 0)
        result.observe(CIRCUIT_VALUE[rt.breaker.current], { route: rt.route.upstream.original });
  });
  // Stable sort: equal priorities keep file order (Ocelot: OrderByDescending(Priority), first match).
  const ordered = [...runtimes].sort((a, b) => b.route.upstream.priority - a.route.upstream.priority);

  function findRoute(method: string, host: string, path: string, query: string): RouteRuntime | undefined {
    const hostLower = host.toLowerCase();
    const hostOnly = hostLower.replace(/:\d+$/, "");
    const candidates = ordered.filter((rt) => {
      const r = rt.route;
      if (r.methods.length > 0 && !r.methods.includes(method)) return false;
      if (r.upstreamHost) {
        const want = r.upstreamHost.toLowerCase();
        if (want !== hostLower && want !== hostOnly) return false;
      }
      return matches(r.upstream, path, query);
    });
    return candidates.find((rt) => rt.route.upstreamHost) ?? candidates[0];
  }

  function fail(reason: AuthFailureReason, route: RouteConfig, problem: ProblemError, challenge: string): never {
    authFailures.add(1, { reason, route: route.upstream.original });
    throw new GatewayError(problem, { "www-authenticate": challenge });
  }

  async function authenticate(request: Request, url: URL, route: RouteConfig): Promise<AuthContext | undefined> {
    if (!route.authenticated || !verifier) return undefined;
    const header = request.headers.get("authorization");
    let token = bearerToken(header);
    // Meridian extension, for EventSource clients that cannot send headers: only a route that names the parameter,
    // only for GET (a query token ends up in logs and browser history, so never on a write).
    if (!token && !header && route.queryTokenParameter && request.method === "GET")
      token = url.searchParams.get(route.queryTokenParameter) ?? undefined;
    if (!token)
      fail("missing_token", route, problems.unauthorized("a bearer token is required"), bearerChallenge("meridian"));
    try {
      return await verifier.verify(token);
    } catch (err) {
      const detail = err instanceof Error ? err.message : "invalid token";
      logger.info({ route: route.id, reason: (err as { reason?: string }).reason, detail }, "token rejected");
      return fail(
        "invalid_token",
        route,
        problems.unauthorized(`invalid token: ${detail}`),
        bearerChallenge("meridian", { code: "invalid_token", description: detail }),
      );
    }
  }

  function authorize(route: RouteConfig, auth: AuthContext | undefined, placeholders: Map<string, string>): void {
    const claims = (auth?.claims ?? {}) as Record<string, unknown>;
    if (route.authenticated && route.allowedScopes.length > 0) {
      // The kit's scope rule (scopesOf), the same one every service applies.
      const userScopes = auth?.scopes ?? [];
      if (!route.allowedScopes.some((s) => userScopes.includes(s)))
        fail(
          "insufficient_scope",
          route,
          problems.forbidden(`requires one of the scopes: ${route.allowedScopes.join(" ")}`),
          bearerChallenge("meridian", { code: "insufficient_scope", scope: route.allowedScopes.join(" ") }),
        );
    }
    for (const [type, required] of Object.entries(route.claimsRequirement)) {
      const values = claimValues(claims, type);
      if (values.length === 0)
        fail("claim_mismatch", route, problems.forbidden(`requires claim ${type}`), bearerChallenge("meridian"));
      const variable = /^\{(.+)\}$/.exec(required);
      const raw = variable ? placeholders.get(`{${variable[1]}}`) : required;
      const expected = variable && raw !== undefined ? safeDecode(raw) : raw;
      if (expected === undefined || !values.includes(expected))
        fail(
          "claim_mismatch",
          route,
          problems.forbidden(`claim ${type} does not allow this request`),
          bearerChallenge("meridian"),
        );
    }
  }

  /** Values for AddHeadersToRequest / AddQueriesToRequest (Ocelot's claims-to-things); a missing claim is a 403. */
  function fromClaims(route: RouteConfig, specs: RouteConfig["addHeaders"], auth: AuthContext | undefined): Record<string, string> {
    const out: Record<string, string> = {};
    const claims = (auth?.claims ?? {}) as Record<string, unknown>;
    for (const spec of specs) {
      // Ocelot's ClaimsParser.GetValue: the first claim of that type; without a delimiter the whole value (any
      // index ignored); with one, split on each of its characters and take `value[n]` (n defaults to 0).
      let value = claimValues(claims, spec.claim)[0];
      if (value !== undefined && spec.delimiter) {
        const chars = [...spec.delimiter];
        const parts = value.split(new RegExp(chars.map((c) => c.replace(/[\\^$.*+?()[\]{}|-]/g, "\\$&")).join("|")));
        value = parts[spec.index ?? 0];
      }
      if (value === undefined)
        fail("claim_mismatch", route, problems.forbidden(`cannot find claim ${spec.claim}`), bearerChallenge("meridian"));
      out[spec.header] = value;
    }
    return out;
  }

  async function forward(
    rt: RouteRuntime,
    request: Request,
    url: string,
    headers: Headers,
    extraResponseHeaders: Headers,
    vars: Record<string, string | undefined>,
  ): Promise<Response> {
    const { route, breaker, balancer } = rt;
    if (!breaker.tryAcquire())
      throw new GatewayError(problems.serviceUnavailable(`circuit for ${route.upstream.original} is open`));
    const lease = balancer.lease(parseCookies(request.headers.get("cookie")));
    const target = `${route.scheme}://${lease.target.host}${lease.target.port ? `:${lease.target.port}` : ""}${url}`;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error("downstream timeout"));
    }, route.qos.timeoutMs);
    const onClientAbort = () => controller.abort(new Error("client closed request"));
    request.signal.addEventListener("abort", onClientAbort, { once: true });
    const method = route.downstreamMethod ?? request.method;
    const hasBody = !["GET", "HEAD"].includes(method) && request.body !== null;
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        headers,
        body: hasBody ? request.body : undefined,
        redirect: "manual",
        signal: controller.signal,
        decompress: false,
        duplex: "half", // stream the request body through
      } as RequestInit);
    } catch (err) {
      if (!timedOut && request.signal.aborted) {
        // The client went away: not the downstream's fault (Ocelot ignores OperationCanceledException).
        breaker.cancel();
        throw new GatewayError(new ProblemError({ status: 499, slug: "client-closed-request", title: "Client closed request" }));
      }
      breaker.failure();
      if (timedOut)
        throw new GatewayError(problems.serviceUnavailable(`downstream did not answer within ${route.qos.timeoutMs} ms`));
      logger.warn({ route: route.id, target, err: (err as Error).message }, "downstream unreachable");
      // The answer names the route; the address stays in the log above.
      throw new GatewayError(problems.badGateway(`the downstream service of route ${route.id} is unreachable`));
    } finally {
      clearTimeout(timer);
      request.signal.removeEventListener("abort", onClientAbort);
      lease.release();
    }
    if (SERVER_ERROR_CODES.has(res.status)) breaker.failure();
    else breaker.success();
    const responseHeaders = upstreamResponseHeaders(res.headers);
    extraResponseHeaders.forEach((v, k) => {
      responseHeaders.set(k, v);
    });
    const downstreamBaseUrl = `${route.scheme}://${lease.target.host}${lease.target.port ? `:${lease.target.port}` : ""}`;
    applyHeaderTransforms(responseHeaders, route.downstreamHeaderTransform, { ...vars, DownstreamBaseUrl: downstreamBaseUrl });
    const noBody = request.method === "HEAD" || [101, 204, 205, 304].includes(res.status);
    return new Response(noBody ? null : res.body, { status: res.status, statusText: res.statusText, headers: responseHeaders });
  }

  async function handle(
    request: Request,
    clientIp: string | undefined,
    setIdleTimeout: (seconds: number) => void,
  ): Promise<Response> {
    const url = new URL(request.url);
    const rawPath = url.pathname;
    const rawQuery = url.search;
    const path = validatePath(rawPath);
    const method = request.method.toUpperCase();
    const host = request.headers.get("host") ?? url.host;

    const rt = findRoute(method, host, path, rawQuery);
    if (!rt) throw new GatewayError(problems.notFound(`no route for ${method} ${rawPath}`));
    const { route } = rt;
    setHttpRoute(request, route.upstream.original);
    const responseHeaders = new Headers();
    // Bun closes connections idle for 10 s; keep this one open as long as the route may wait, and for
    // server-sent events without limit.
    const sse = (request.headers.get("accept") ?? "").includes("text/event-stream");
    setIdleTimeout(sse ? 0 : Math.min(255, Math.ceil(route.qos.timeoutMs / 1000) + 5));

    // Ocelot's position: before authentication, keyed by the client-chosen header.
    if (route.rateLimit?.partitionKey === "ClientIdHeader")
      limitRate(route, request.headers.get(route.rateLimit.clientIdHeader) ?? "client", rawPath, method, responseHeaders);

    try {
      return await proceed(rt, request, url, host, clientIp, responseHeaders);
    } catch (err) {
      // Headers decided so far (rate-limit counters, request id) go on error answers too, as Ocelot sets them
      // when the response starts, whatever it is.
      if (err instanceof GatewayError) responseHeaders.forEach((v, k) => {
          err.headers[k] ??= v;
        });
      throw err;
    }
  }

  /**
   * Counts the request against the route's rate limit; throws the quota answer when it is exceeded, otherwise sets
   * the X-Rate-Limit-* headers.
   */
  function limitRate(route: RouteConfig, partition: string, rawPath: string, method: string, responseHeaders: Headers): void {
    const rule = route.rateLimit;
    if (!rule || rule.clientWhitelist.includes(partition)) return;
    const d = limiter.check(route.id, partition, rawPath, method, rule);
    if (!d.allowed) {
      rateLimited.add(1, { route: route.upstream.original });
      const message =
        rule.quotaExceededMessage ?? `API calls quota exceeded! maximum admitted ${rule.limit} per ${rule.period}.`;
      const headers: Record<string, string> = {};
      if (!rule.disableHeaders) headers["retry-after"] = String(d.retryAfterSec);
      throw new GatewayError(
        new ProblemError({ status: rule.httpStatusCode, slug: "too-many-requests", title: "Too many requests", detail: message }),
        headers,
      );
    }
    if (!rule.disableHeaders) {
      // Ocelot 23.x–24.x (RateLimiting.GetHeaders): Limit carries the Period ("1m"), Reset is .NET's round-trip
      // "o" format (seven fractional digits, UTC).
      responseHeaders.set("x-rate-limit-limit", rule.period);
      responseHeaders.set("x-rate-limit-remaining", String(d.remaining));
      responseHeaders.set("x-rate-limit-reset", d.resetAt.toISOString().replace(/Z$/, "0000Z"));
    }
  }

  async function proceed(
    rt: RouteRuntime,
    request: Request,
    url: URL,
    host: string,
    clientIp: string | undefined,
    responseHeaders: Headers,
  ): Promise<Response> {
    const { route } = rt;
    const rawPath = url.pathname;
    const rawQuery = url.search;
    const method = request.method.toUpperCase();
    const requestIdKey = route.requestIdKey;
    const requestId = requestIdKey ? (request.headers.get(requestIdKey) ?? crypto.randomUUID()) : undefined;
    if (requestIdKey && requestId) responseHeaders.set(requestIdKey, requestId);

    const placeholderList = route.upstream.extract(rawPath, rawQuery);
    const placeholders = new Map(placeholderList.map((p) => [p.name, p.value]));
    let auth: AuthContext | undefined;
    if (method !== "OPTIONS") {
      auth = await authenticate(request, url, route);
      authorize(route, auth, placeholders);
    }
    // Meridian partitions count only requests that passed authentication and authorization.
    const partitionKey = route.rateLimit?.partitionKey;
    if (partitionKey === "Subject" || partitionKey === "ClientAddress")
      // One counter per partition and route, whatever the path and method (as Ocelot 25 counts per route).
      limitRate(route, partitionKey === "Subject" && auth ? `sub:${auth.sub}` : `ip:${clientIp ?? "unknown"}`, "", "", responseHeaders);
    const claimHeaders = route.addHeaders.length > 0 ? fromClaims(route, route.addHeaders, auth) : {};
    const claimQueries = route.addQueries.length > 0 ? fromClaims(route, route.addQueries, auth) : {};

    const forwardedQuery = route.queryTokenParameter ? withoutParameter(rawQuery, route.queryTokenParameter) : rawQuery;
    const downstream = createDownstreamUrl(route.downstreamPathTemplate, placeholderList, rawPath, forwardedQuery);
    if (route.addQueries.length > 0) {
      // Ocelot's QueryStringBuilderMiddleware: claim values replace same-named parameters.
      const params = new URLSearchParams(downstream.query);
      for (const [k, v] of Object.entries(claimQueries)) params.set(k, v);
      const q = params.toString();
      downstream.query = q ? `?${q}` : "";
    }
    const headers = downstreamRequestHeaders(request.headers);
    for (const [k, v] of Object.entries(claimHeaders)) headers.set(k, v);
    if (auth && !headers.has("authorization")) headers.set("authorization", `Bearer ${auth.token}`);
    if (requestIdKey && requestId && !headers.has(requestIdKey)) headers.set(requestIdKey, requestId);
    if (clientIp) headers.set("x-forwarded-for", clientIp);
    headers.set("x-forwarded-proto", url.protocol.replace(":", ""));
    headers.set("x-forwarded-host", host);
    propagation.inject(otelContext.active(), headers, {
      set: (carrier, key, value) => carrier.set(key, value),
    });
    const vars: Record<string, string | undefined> = {
      BaseUrl: config.baseUrl ?? url.origin,
      RemoteIpAddress: clientIp,
      UpstreamHost: host,
      TraceId: trace.getActiveSpan()?.spanContext().traceId,
    };
    applyHeaderTransforms(headers, route.upstreamHeaderTransform, vars);
    return forward(rt, request, `${downstream.path}${downstream.query}`, headers, responseHeaders, vars);
  }

  function errorResponse(err: unknown, request: Request): Response {
    const path = new URL(request.url).pathname;
    const traceId = trace.getActiveSpan()?.spanContext().traceId;
    if (err instanceof GatewayError) return problemResponse(err.problem.toProblem(path, traceId), err.headers);
    logger.error({ err, path }, "gateway error");
    return problemResponse(problems.internal("the gateway failed to handle the request").toProblem(path, traceId));
  }

  return new Elysia({ name: "meridian-gateway" }).all(
    "/*",
    async ({ request, server, set }) => {
      let response: Response;
      try {
        const peer = server?.requestIP(request)?.address;
        response = await handle(request, clientAddress(peer, request.headers.get("x-forwarded-for"), config.trustedProxies), (seconds) =>
          server?.timeout(request, seconds),
        );
      } catch (err) {
        response = errorResponse(err, request);
      }
      set.status = response.status; // for the kit's request log and duration metric
      return response;
    },
    { parse: "none", detail: { hide: true } },
  );
}
