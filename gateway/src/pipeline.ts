/**
 * The gateway's request pipeline, in Ocelot's middleware order: find route (404) → rate limiting by client id (429)
 * → request id → authentication (401) → authorization: scopes, then claims (403) → Meridian rate-limit partitions
 * (429) → claims to headers and query, downstream URL → circuit breaker (503) → load balancer → downstream request
 * with timeout (503/502).
 */
import { problems, type Logger } from "@meridian/kit";
import type { TokenVerifier } from "@meridian/kit/auth";
import type { Counter } from "@opentelemetry/api";
import type { GatewayRoutes } from "./config";
import type { GatewayRequest, RouteRuntime } from "./context";
import { GatewayError } from "./errors";
import { clientAddress, splitUrl, validatePath } from "./request-line";
import { createRouteTable } from "./route-table";
import { authFailure } from "./stages/auth-failure";
import { createAuthenticationStage } from "./stages/authentication";
import { createAuthorizationStage } from "./stages/authorization";
import { createDownstreamRequestStage } from "./stages/downstream-request";
import { createForwardStage } from "./stages/forward";
import { createRateLimitStages } from "./stages/rate-limit";
import type { ProxyConnection } from "./server";

export interface PipelineOptions {
  config: GatewayRoutes;
  runtimes: RouteRuntime[];
  verifier?: TokenVerifier;
  logger: Logger;
  metrics: { authFailures: Counter; rateLimited: Counter };
  /** BODY_LIMIT_BYTES: streamed bodies are counted against it on their way downstream. */
  bodyLimitBytes: number;
  /** The answer for a refusal or an unexpected error. */
  errorResponse(err: unknown, request: Request, connection: ProxyConnection): Response;
}

export function createPipeline(options: PipelineOptions) {
  const { config } = options;
  const table = createRouteTable(options.runtimes);
  const rateLimit = createRateLimitStages(config.rateLimitCounterPrefix, options.metrics.rateLimited);
  const fail = authFailure(options.metrics.authFailures);
  const authenticate = createAuthenticationStage(options.verifier, options.logger, fail);
  const authorization = createAuthorizationStage(fail);
  const downstreamRequest = createDownstreamRequestStage(authorization, config.baseUrl);
  const forward = createForwardStage(options.logger, options.bodyLimitBytes);

  /** Finds the route and sets up the request's context (404 when no route matches). */
  function route(request: Request, connection: ProxyConnection): GatewayRequest {
    const { rawPath, rawQuery } = splitUrl(request.url);
    const path = validatePath(rawPath);
    const { headers } = request;
    const method = request.method.toUpperCase();
    const host = headers.get("host") ?? "";
    const rt = table.find(method, host, path, rawQuery);
    if (!rt) throw new GatewayError(problems.notFound(`no route for ${method} ${rawPath}`));
    connection.route = rt.route.upstream.original;
    const { server } = connection;
    // Bun closes connections idle for 10 s; keep this one open as long as the route may wait, and for
    // server-sent events without limit.
    const sse = headers.get("accept")?.includes("text/event-stream") ?? false;
    server?.timeout(request, sse ? 0 : rt.idleTimeoutSec);
    const peer = server?.requestIP(request)?.address;
    // X-Forwarded-For is read only when proxies in front are trusted (otherwise it is the client's word).
    const forwardedFor = config.trustedProxies > 0 ? headers.get("x-forwarded-for") : null;
    const clientIp = clientAddress(peer, forwardedFor, config.trustedProxies);
    return { request, method, host, rawPath, rawQuery, clientIp, span: connection.span, rt, placeholders: [], responseHeaders: {} };
  }

  // One async function for the whole request: every extra async layer cost a promise and a microtask per request.
  return async function handle(request: Request, connection: ProxyConnection): Promise<Response> {
    let ctx: GatewayRequest | undefined;
    try {
      ctx = route(request, connection);
      const rt = ctx.rt.route;
      rateLimit.beforeAuthentication(ctx);
      if (rt.requestIdKey) {
        ctx.requestId = request.headers.get(rt.requestIdKey) ?? crypto.randomUUID();
        ctx.responseHeaders[rt.requestIdKey] = ctx.requestId;
      }
      ctx.placeholders = rt.upstream.extract(ctx.rawPath, ctx.rawQuery);
      const verifying = authenticate(ctx);
      if (verifying) await verifying;
      authorization.authorize(ctx);
      rateLimit.afterAuthorization(ctx);
      return await forward(ctx, downstreamRequest(ctx));
    } catch (err) {
      // Headers decided so far (rate-limit counters, request id) go on error answers too, as Ocelot sets them
      // when the response starts, whatever it is.
      if (ctx && err instanceof GatewayError) for (const k in ctx.responseHeaders) err.headers[k] ??= ctx.responseHeaders[k] as string;
      return options.errorResponse(err, request, connection);
    }
  };
}
