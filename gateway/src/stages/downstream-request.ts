/**
 * The request sent downstream (Ocelot's ClaimsToHeaders, ClaimsToQueryString, HttpHeadersTransformation and
 * DownstreamUrlCreator middlewares): path and query from the templates, the client's headers minus hop-by-hop and
 * spoofable ones, claims, request id, X-Forwarded-*, trace context and header transforms.
 */
import type { SpanContext } from "@opentelemetry/api";
import type { GatewayRequest } from "../context";
import { applyHeaderTransforms, downstreamRequestHeaders } from "../headers";
import { createDownstreamUrl } from "../template";
import type { AuthorizationStage } from "./authorization";

export interface DownstreamRequest {
  /** Path and query, e.g. `/api/orders?page=2`. */
  pathAndQuery: string;
  headers: Headers;
  /** Values for `{Placeholder}`s in DownstreamHeaderTransform; undefined when the route has none. */
  vars?: Record<string, string | undefined>;
}

/**
 * The request's trace context as W3C Trace Context headers, as the kit's propagator writes them. Written directly:
 * the span context is one the gateway made or extracted (valid by construction), and the propagator's checks and
 * context look-ups cost more than the header itself.
 */
function setTraceHeaders(span: SpanContext, headers: Headers): void {
  headers.set("traceparent", `00-${span.traceId}-${span.spanId}-0${Number(span.traceFlags || 0).toString(16)}`);
  if (span.traceState) headers.set("tracestate", span.traceState.serialize());
}

export function createDownstreamRequestStage(auth: AuthorizationStage, baseUrl: string | undefined) {
  function pathAndQuery(ctx: GatewayRequest): string {
    const route = ctx.rt.route;
    const downstream = createDownstreamUrl(route.downstreamPathTemplate, ctx.placeholders, ctx.rawPath, ctx.rawQuery);
    if (route.addQueries.length > 0) {
      // Ocelot's ClaimsToQueryStringMiddleware: claim values replace same-named parameters.
      const params = new URLSearchParams(downstream.query);
      for (const [k, v] of Object.entries(auth.claimsTo(ctx, route.addQueries))) params.set(k, v);
      const q = params.toString();
      downstream.query = q ? `?${q}` : "";
    }
    return downstream.path + downstream.query;
  }

  function transformVars(ctx: GatewayRequest): Record<string, string | undefined> {
    const origin = ctx.request.url.slice(0, ctx.request.url.length - ctx.rawPath.length - ctx.rawQuery.length);
    return {
      BaseUrl: baseUrl ?? origin,
      RemoteIpAddress: ctx.clientIp,
      UpstreamHost: ctx.host,
      TraceId: ctx.span.traceId,
    };
  }

  return function build(ctx: GatewayRequest): DownstreamRequest {
    const route = ctx.rt.route;
    const path = pathAndQuery(ctx);
    const headers = downstreamRequestHeaders(ctx.request.headers);
    if (route.addHeaders.length > 0) for (const [k, v] of Object.entries(auth.claimsTo(ctx, route.addHeaders))) headers.set(k, v);
    if (ctx.auth && !headers.has("authorization")) headers.set("authorization", `Bearer ${ctx.auth.token}`);
    const requestIdKey = route.requestIdKey;
    if (requestIdKey && ctx.requestId && !headers.has(requestIdKey)) headers.set(requestIdKey, ctx.requestId);
    if (ctx.clientIp) headers.set("x-forwarded-for", ctx.clientIp);
    headers.set("x-forwarded-proto", ctx.request.url.startsWith("https:") ? "https" : "http");
    headers.set("x-forwarded-host", ctx.host);
    setTraceHeaders(ctx.span, headers);
    const needsVars = route.upstreamHeaderTransform.length > 0 || route.downstreamHeaderTransform.length > 0;
    const vars = needsVars ? transformVars(ctx) : undefined;
    if (vars) applyHeaderTransforms(headers, route.upstreamHeaderTransform, vars);
    return { pathAndQuery: path, headers, vars };
  };
}
