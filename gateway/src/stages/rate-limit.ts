/**
 * Rate limiting (Ocelot's RateLimitingMiddleware) and the Meridian partitions. A route keyed by `ClientIdHeader`
 * is counted where Ocelot counts it, before authentication; `Subject` and `ClientAddress` after authorization.
 */
import type { Counter } from "@opentelemetry/api";
import { ProblemError } from "@meridian/kit";
import { rateLimitDefaults } from "../config";
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

  function count(ctx: GatewayRequest, partition: string): void {
    const route = ctx.rt.route;
    const rule = route.rateLimit;
    if (!rule || rule.clientWhitelist.includes(partition)) return;
    const d = limiter.check(route.id, partition, rule);
    if (!d.allowed) {
      rateLimited.add(1, { route: route.upstream.original });
      const message = rule.quotaMessage.replaceAll("{0}", String(rule.limit)).replaceAll("{1}", rule.period);
      const headers: Record<string, string> = {};
      if (rule.enableHeaders) headers["retry-after"] = String(d.retryAfterSec);
      throw new GatewayError(
        new ProblemError({ status: rule.statusCode, slug: "too-many-requests", title: "Too many requests", detail: message }),
        headers,
      );
    }
    if (rule.enableHeaders) {
      // Ocelot 25.0 (RateLimiting.GetHeaders, RateLimitingMiddleware.SetRateLimitHeaders): the rule's Limit, what
      // remains of it, and the end of the counting window in .NET's round-trip "o" format (seven fractional digits).
      ctx.responseHeaders["x-rate-limit-limit"] = String(rule.limit);
      ctx.responseHeaders["x-rate-limit-remaining"] = String(d.remaining);
      ctx.responseHeaders["x-rate-limit-reset"] = d.resetAt.toISOString().replace(/Z$/, "0000Z");
    }
  }

  return {
    beforeAuthentication(ctx) {
      const rule = ctx.rt.route.rateLimit;
      if (rule?.partitionKey !== "ClientIdHeader") return;
      // Without the header every client is the one client named after the header's default (SetIdentity).
      count(ctx, ctx.request.headers.get(rule.clientIdHeader) ?? rateLimitDefaults.clientIdHeader);
    },
    afterAuthorization(ctx) {
      const key = ctx.rt.route.rateLimit?.partitionKey;
      if (key !== "Subject" && key !== "ClientAddress") return;
      const partition = key === "Subject" && ctx.auth ? `sub:${ctx.auth.sub}` : `ip:${ctx.clientIp ?? "unknown"}`;
      count(ctx, partition);
    },
  };
}
