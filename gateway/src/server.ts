/**
 * How the gateway listens. The proxy path runs straight on Bun.serve: Elysia's per-request lifecycle and the kit
 * app's hooks cost more CPU than the whole pipeline (bench/results/README.md › gateway-overhead). The kit app keeps
 * serving the gateway's own endpoints (health, metrics, OpenAPI) with everything the kit gives them.
 *
 * The proxy path reports as the kit's app does, at the cost of a few object writes: one SERVER span per request
 * continuing the caller's W3C trace, `http_server_request_duration_seconds`, a `request` log line (only when info is
 * enabled), `traceparent` on the answer, and a 413 problem for a Content-Length over the body limit.
 */
import {
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
  type TextMapGetter,
} from "@opentelemetry/api";
import { initTelemetry, problemResponse, problems, type Logger } from "@meridian/kit";
import type { Server } from "bun";
import { splitUrl } from "./request-line";

/** The pipeline's entry: answers one proxied request and names the route it took (for logs and metrics). */
export type ProxyHandler = (request: Request, connection: ProxyConnection) => Promise<Response>;

export interface ProxyConnection {
  server?: Server<unknown>;
  /** Set by the pipeline once a route matched: its UpstreamPathTemplate. */
  route?: string;
  /**
   * The request's server span (or, when spans are not recorded, the ids it propagates), passed explicitly rather
   * than through AsyncLocalStorage or an OpenTelemetry Context (building one cost ~1 µs per request).
   */
  span: SpanContext;
}

export interface InstrumentationOptions {
  service: string;
  version: string;
  logger: Logger;
  bodyLimitBytes?: number;
  /**
   * Whether spans are exported (the kit registers an OTLP span exporter when OTEL_EXPORTER_OTLP_ENDPOINT is set).
   * When not, the request still gets a trace context to propagate, without recording a span.
   */
  recordSpans?: boolean;
}

const headerGetter: TextMapGetter<Headers> = {
  keys: (carrier) => [...carrier.keys()],
  get: (carrier, key) => carrier.get(key) ?? undefined,
};

function traceparentOf(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-0${(spanContext.traceFlags & 1).toString(16)}`;
}

/**
 * Random hex drawn from a pool refilled 4 KiB at a time: one getRandomValues and one hex encoding per ~170 requests
 * rather than two of each per request.
 */
class RandomHex {
  private pool = "";
  private at = 0;
  take(chars: number): string {
    if (this.at + chars > this.pool.length) {
      this.pool = Buffer.from(crypto.getRandomValues(new Uint8Array(4096))).toString("hex");
      this.at = 0;
    }
    this.at += chars;
    return this.pool.slice(this.at - chars, this.at);
  }
}

const randomHex = new RandomHex();

/** The context of a span that records nothing: the caller's trace continued (or a new one) under a fresh span id. */
function propagatingSpan(parent: Context): SpanContext {
  const caller = parent === ROOT_CONTEXT ? undefined : trace.getSpanContext(parent);
  return {
    traceId: caller?.traceId ?? randomHex.take(32),
    spanId: randomHex.take(16),
    traceFlags: caller?.traceFlags ?? TraceFlags.NONE,
  };
}

/** Wraps the pipeline with the server span, duration metric, request log and body limit. */
export function instrumentProxy(handler: ProxyHandler, options: InstrumentationOptions) {
  const telemetry = initTelemetry({ serviceName: options.service, version: options.version });
  const { logger } = options;
  const bodyLimit = options.bodyLimitBytes ?? 1_048_576;
  const recordSpans = options.recordSpans ?? Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT);
  // The kit app's instrument (same name and options: the SDK shares one metric between both).
  const duration = telemetry.meter.createHistogram("http_server_request_duration_seconds", {
    description: "HTTP server request duration",
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
  });

  function tooLarge(request: Request, headers: Headers): Response | undefined {
    const length = Number(headers.get("content-length") ?? 0);
    if (length <= bodyLimit) return undefined;
    const detail = `The body is ${length} bytes; the limit is ${bodyLimit}.`;
    return problemResponse(problems.payloadTooLarge(detail).toProblem(splitUrl(request.url).rawPath));
  }

  return async function serveProxy(request: Request, server?: Server<unknown>): Promise<Response> {
    const started = performance.now();
    // Request getters are native calls: each is read once.
    const { method, headers } = request;
    const parent: Context = headers.has("traceparent") ? propagation.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
    const span = recordSpans ? telemetry.tracer.startSpan(method, { kind: SpanKind.SERVER }, parent) : undefined;
    const spanContext = span ? span.spanContext() : propagatingSpan(parent);
    const connection: ProxyConnection = { server, span: spanContext };
    const response = tooLarge(request, headers) ?? (await handler(request, connection));
    const route = connection.route ?? "unmatched";
    const status = response.status;
    response.headers.set("traceparent", traceparentOf(spanContext));
    if (span) {
      span.updateName(`${method} ${route}`);
      span.setAttributes({ "http.request.method": method, "http.route": route, "http.response.status_code": status });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    const ms = performance.now() - started;
    duration.record(ms / 1000, { "http.request.method": method, "http.route": route, "http.response.status_code": status });
    if (logger.isLevelEnabled("info")) {
      const path = splitUrl(request.url).rawPath;
      logger.info({ method, route, path, status, ms: Math.round(ms * 10) / 10 }, "request");
    }
    return response;
  };
}

/** Elysia's surface the listener needs: its routes and its fetch handler. */
interface OwnEndpoints {
  routes: Array<{ path: string }>;
  handle(request: Request): Promise<Response>;
}

/** What the kit's `serve` starts and stops. */
export interface GatewayListener {
  listen(options: { port: number; hostname: string; maxRequestBodySize: number }): unknown;
  server: Server<unknown> | null;
}

/**
 * One Bun server: the kit app's own paths (health, metrics, OpenAPI…) go to the app, every other request to the
 * proxy. Give it to the kit's `serve` for listening and graceful shutdown.
 */
export function gatewayListener(
  app: OwnEndpoints,
  proxy: (request: Request, server: Server<unknown>) => Promise<Response>,
): GatewayListener {
  const ownPaths = [...new Set(app.routes.map((r) => r.path).filter((p) => !p.includes("*") && !p.includes(":")))];
  const toApp = (request: Request) => app.handle(request);
  const listener: GatewayListener = {
    server: null,
    listen({ port, hostname, maxRequestBodySize }) {
      listener.server = Bun.serve({
        port,
        hostname,
        maxRequestBodySize,
        routes: Object.fromEntries(ownPaths.map((p) => [p, toApp])),
        fetch: proxy,
      });
      return listener;
    },
  };
  return listener;
}
