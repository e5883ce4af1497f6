/**
 * The gateway: metrics, the route runtimes (load balancer, circuit breaker) and the request pipeline (pipeline.ts),
 * as one instrumented fetch handler; server.ts puts it on Bun.serve next to the kit app's own endpoints.
 */
import { metrics, type SpanContext } from "@opentelemetry/api";
import { problemResponse, problems, type Logger } from "@meridian/kit";
import { cachingVerifier, type TokenCacheOptions, type TokenVerifier } from "@meridian/kit/auth";
import type { GatewayRoutes, RouteConfig } from "./config";
import type { RouteRuntime } from "./context";
import { CallDeadlines } from "./deadlines";
import { GatewayError } from "./errors";
import { LoadBalancer } from "./loadbalancer";
import { createPipeline } from "./pipeline";
import { CircuitBreaker, type CircuitState } from "./qos";
import { splitUrl } from "./request-line";
import { instrumentProxy } from "./server";

export { clientAddress } from "./request-line";
export { gatewayListener } from "./server";
export { claimValues } from "./stages/authorization";

export interface GatewayOptions {
  config: GatewayRoutes;
  /** Required when any route is authenticated. */
  verifier?: TokenVerifier;
  logger: Logger;
  service?: string;
  version?: string;
  /**
   * The kit's BODY_LIMIT_BYTES (default 1 MiB): a Content-Length above it is answered 413 before routing, a streamed
   * body is counted as it is forwarded and answered 413 at the first byte past it.
   */
  bodyLimitBytes?: number;
  /** Verified tokens are kept (bounded, until the earlier of exp and the TTL); refusals never are. */
  tokenCache?: TokenCacheOptions;
}

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, "half-open": 1, open: 2 };

function runtimeOf(route: RouteConfig, logger: Logger): RouteRuntime {
  return {
    route,
    balancer: new LoadBalancer(route),
    breaker: new CircuitBreaker(route.qos.breaker, (state) => logger.warn({ route: route.id, state }, "circuit state changed")),
    deadlines: new CallDeadlines(route.qos.timeoutMs),
    baseUrls: route.hosts.map((h) => `${route.scheme}://${h.host}${h.port ? `:${h.port}` : ""}`),
    idleTimeoutSec: Math.min(255, Math.ceil(route.qos.timeoutMs / 1000) + 5),
  };
}

function errorResponse(err: unknown, request: Request, span: SpanContext, logger: Logger): Response {
  const path = splitUrl(request.url).rawPath;
  const traceId = span.traceId;
  if (err instanceof GatewayError) return problemResponse(err.problem.toProblem(path, traceId), err.headers);
  logger.error({ err, path }, "gateway error");
  return problemResponse(problems.internal("the gateway failed to handle the request").toProblem(path, traceId));
}

export function createGateway(options: GatewayOptions) {
  const { config, verifier, logger } = options;
  if (!verifier && config.routes.some((r) => r.authenticated))
    throw new Error("routes use AuthenticationOptions but no OIDC issuer is configured (OIDC_ISSUER)");
  for (const r of config.routes)
    if (!r.authenticated && (r.allowedScopes.length > 0 || r.claimsRequirementEntries.length > 0))
      logger.warn({ route: r.id }, "route has AllowedScopes or RouteClaimsRequirement but no authentication provider");

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
  const runtimes = config.routes.map((route) => runtimeOf(route, logger));
  circuitGauge.addCallback((result) => {
    for (const rt of runtimes)
      if (rt.route.qos.breaker) result.observe(CIRCUIT_VALUE[rt.breaker.current], { route: rt.route.upstream.original });
  });
  const cached = verifier ? cachingVerifier(verifier, options.tokenCache) : undefined;
  const bodyLimitBytes = options.bodyLimitBytes ?? 1_048_576;
  const handle = createPipeline({
    config,
    runtimes,
    verifier: cached,
    logger,
    metrics: { authFailures, rateLimited },
    bodyLimitBytes,
    errorResponse: (err, request, connection) => errorResponse(err, request, connection.span, logger),
  });
  const proxy = instrumentProxy(handle, {
    service: options.service ?? "gateway",
    version: options.version ?? "0",
    logger,
    bodyLimitBytes,
  });
  return { fetch: proxy };
}
