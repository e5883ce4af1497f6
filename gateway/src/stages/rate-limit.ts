/**
 * Rate limiting (Ocelot's RateLimitingMiddleware) and the Meridian partitions. A route keyed by `ClientIdHeader`
 * is counted where Ocelot counts it, before authentication; `Subject` and `ClientAddress` after authorization.
 */
import type { Counter } from "@opentelemetry/api";
import { ProblemError } from "@meridian/kit";
import type { GatewayRequest } from "../context";
import { GatewayError } from "../errors";
import { RateLimiter } from "../ratelimit";

export interface RateLimitStages {
  /** Before authentication: Ocelot's client-id header partition. */
  beforeAuthentication(ctx: GatewayRequest): void;
  /** After authorization: the Meridian partitions (a refused request consumes no quota). */
  afterAuthorization(ctx: GatewayRequest): void;
}

export function createRateLimitStages(counterPrefix: string, rateLimited: Counter): RateLimitStages {
  const limiter = new RateLimiter(counterPrefix);

  function count(ctx: GatewayRequest, partition: string, path: string, method: string): void {
    const route = ctx.rt.route;
    const rule = route.rateLimit;
    if (!rule || rule.clientWhitelist.includes(partition)) return;
    const d = limiter.check(route.id, partition, path, method, rule);
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
      ctx.responseHeaders["x-rate-limit-limit"] = rule.period;
      ctx.responseHeaders["x-rate-limit-remaining"] = String(d.remaining);
      ctx.responseHeaders["x-rate-limit-reset"] = d.resetAt.toISOString().replace(/Z$/, "0000Z");
    }
  }

  return {
    beforeAuthentication(ctx) {
      const rule = ctx.rt.route.rateLimit;
      if (rule?.partitionKey !== "ClientIdHeader") return;
      count(ctx, ctx.request.headers.get(rule.clientIdHeader) ?? "client", ctx.rawPath, ctx.method);
    },
    afterAuthorization(ctx) {
      const key = ctx.rt.route.rateLimit?.partitionKey;
      if (key !== "Subject" && key !== "ClientAddress") return;
      // One counter per partition and route, whatever the path and method (as Ocelot 25 counts per route).
      const partition = key === "Subject" && ctx.auth ? `sub:${ctx.auth.sub}` : `ip:${ctx.clientIp ?? "unknown"}`;
      count(ctx, partition, "", "");
    },
  };
}
