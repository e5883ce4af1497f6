/**
 * The HTTP app factory every service and the edge proxy start from: tracing (traceparent in and out), request
 * logging and metrics, problem+json errors, the body limit, the shared input rules, OpenAPI, and the management
 * routes (health, metrics) — on the app itself, or apart for a management port (startService, serve).
 */
import { openapi } from "@elysiajs/openapi";
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Histogram, type Span } from "@opentelemetry/api";
import { Elysia } from "elysia";
import { announcedOversize, isStreamedBody, tooLarge, withBoundedBody } from "./body-limit";
import { PROBLEM_CONTENT_TYPE, problemResponse } from "./errors";
import type { HealthCheck } from "./health";
import { errorResponder, traceparentOfActiveSpan } from "./http-errors";
import { assertStorableInput } from "./input";
import type { Logger } from "./logging";
import { MANAGEMENT_PATHS, managementRoutes } from "./management";
import { initTelemetry, type Telemetry } from "./telemetry";

export interface HttpAppOptions {
  service: string;
  version: string;
  logger: Logger;
  /** Readiness checks; the array is read at each probe, so checks pushed after start are seen. */
  checks?: HealthCheck[];
  /** Readiness check timeout per dependency. */
  checkTimeoutMs?: number;
  openapi?: { title?: string; description?: string };
  bodyLimitBytes?: number;
  /** Serve /health/* and /metrics apart (on MANAGEMENT_PORT): `managementAppOf(app)` gives that app. */
  separateManagement?: boolean;
  /** Telemetry to report to (default: the process's, registered on first use). */
  telemetry?: Telemetry;
}

const routeOverrides = new WeakMap<Request, string>();
const managementApps = new WeakMap<object, ReturnType<typeof managementRoutes>>();

/**
 * Names the route a request is measured and logged under when the Elysia route is a catch-all
 * (a proxy's `/*` serves every upstream template).
 */
export function setHttpRoute(request: Request, route: string): void {
  routeOverrides.set(request, route);
}

/** The management app of an app created with `separateManagement`, to serve on the management port. */
export function managementAppOf(app: object): ReturnType<typeof managementRoutes> | undefined {
  return managementApps.get(app);
}

const headerGetter = {
  keys: (carrier: Headers) => [...carrier.keys()],
  get: (carrier: Headers, key: string) => carrier.get(key) ?? undefined,
};

/** One SERVER span per request, continuing the caller's W3C trace, and the request's duration, log line. */
function requestObservation(telemetry: Telemetry, logger: Logger, bodyLimitBytes: number) {
  const startedAt = new WeakMap<Request, number>();
  const serverSpans = new WeakMap<Request, Span>();
  const duration: Histogram = telemetry.meter.createHistogram("http_server_request_duration_seconds", {
    description: "HTTP server request duration",
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
  });
  return {
    // @elysiajs/opentelemetry opens a span per lifecycle hook, which cut throughput threefold (bench/).
    wrap(handle: (...args: unknown[]) => unknown, received: Request) {
      // A streamed body is counted as it is read: past the limit, reading it fails with the 413 problem.
      const request = isStreamedBody(received) ? withBoundedBody(received, bodyLimitBytes) : received;
      startedAt.set(request, performance.now());
      const path = new URL(request.url).pathname;
      if (MANAGEMENT_PATHS.has(path)) return (...args: unknown[]) => handle(request, ...args.slice(1));
      const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
      const attributes = { "http.request.method": request.method, "url.path": path };
      const span = telemetry.tracer.startSpan(request.method, { kind: SpanKind.SERVER, attributes }, parent);
      serverSpans.set(request, span);
      const active = trace.setSpan(parent, span);
      return (...args: unknown[]) => context.with(active, () => handle(request, ...args.slice(1)));
    },
    done({ request, route, set, path }: { request: Request; route: string; set: { status?: number | string }; path: string }) {
      if (MANAGEMENT_PATHS.has(path)) return;
      const ms = performance.now() - (startedAt.get(request) ?? performance.now());
      const status = typeof set.status === "number" ? set.status : 200;
      const httpRoute = routeOverrides.get(request) ?? (route || "unmatched");
      const span = serverSpans.get(request);
      if (span) {
        span.updateName(`${request.method} ${httpRoute}`);
        span.setAttributes({ "http.route": httpRoute, "http.response.status_code": status });
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      const attributes = { "http.request.method": request.method, "http.route": httpRoute, "http.response.status_code": status };
      duration.record(ms / 1000, attributes);
      logger.info({ method: request.method, route: httpRoute, path, status, ms: Math.round(ms * 10) / 10 }, "request");
    },
  };
}

/** An announced oversize body is refused from its Content-Length, before routing and before anything is read. */
function announcedBodyLimit(limit: number) {
  return new Elysia({ name: "meridian:body-limit" }).onRequest(({ request }) => {
    const length = announcedOversize(request, limit);
    if (length === undefined) return;
    const problem = tooLarge(limit, `The body is ${length} bytes`).toProblem(new URL(request.url).pathname);
    return problemResponse(problem, { connection: "close" });
  });
}

export function createHttpApp(options: HttpAppOptions) {
  const telemetry = options.telemetry ?? initTelemetry({ serviceName: options.service, version: options.version });
  const { logger } = options;
  const bodyLimitBytes = options.bodyLimitBytes ?? 1_048_576;
  const observe = requestObservation(telemetry, logger, bodyLimitBytes);
  const management = managementRoutes({
    service: options.service,
    telemetry,
    checks: options.checks ?? [],
    checkTimeoutMs: options.checkTimeoutMs,
  });
  const documentation = {
    info: {
      title: options.openapi?.title ?? `${options.service} API`,
      version: options.version,
      description: options.openapi?.description,
    },
    components: { securitySchemes: { bearer: { type: "http" as const, scheme: "bearer", bearerFormat: "JWT" } } },
  };

  const app = new Elysia({ name: `meridian:${options.service}` })
    .wrap((handle, request) => observe.wrap(handle, request))
    .use(openapi({ path: "/openapi", documentation, exclude: { paths: [...MANAGEMENT_PATHS] } }))
    .derive({ as: "global" }, () => ({ log: logger.child({}) }))
    .onRequest(({ set }) => {
      const traceparent = traceparentOfActiveSpan();
      if (traceparent) set.headers.traceparent = traceparent;
    })
    .use(announcedBodyLimit(bodyLimitBytes))
    .onTransform({ as: "global" }, ({ body, query, params, request }) =>
      assertStorableInput({ contentType: request.headers.get("content-type"), body, query, params }),
    )
    .onError({ as: "global" }, errorResponder(logger))
    .onAfterResponse({ as: "global" }, (ctx) => observe.done(ctx));
  // Elysia's use() adds to the same app: the management routes join it, or wait for the management port.
  if (options.separateManagement) managementApps.set(app, management);
  else app.use(management);
  return app;
}

export type HttpApp = ReturnType<typeof createHttpApp>;

export { PROBLEM_CONTENT_TYPE };
