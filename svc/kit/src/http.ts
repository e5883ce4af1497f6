/**
 * The HTTP app factory every service and the gateway start from: tracing (traceparent in and out),
 * request logging, problem+json errors, health, metrics, OpenAPI, a body limit; and `serve`, which
 * adds graceful shutdown on SIGTERM.
 */
import { openapi } from "@elysiajs/openapi";
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Histogram,
  type Span,
} from "@opentelemetry/api";
import { Elysia } from "elysia";
import {
  fieldFromPointer,
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  problemResponse,
  problems,
  type FieldError,
} from "./errors";
import type { BaseConfig } from "./config";
import { runChecks, type HealthCheck } from "./health";
import { assertStorableInput } from "./input";
import { installLastResortGuard } from "./last-resort";
import type { Logger } from "./logging";
import { isDatabaseUnavailable } from "./postgres";
import { initTelemetry } from "./telemetry";

export interface HttpAppOptions {
  service: string;
  version: string;
  logger: Logger;
  checks?: HealthCheck[];
  /** Readiness check timeout per dependency. */
  checkTimeoutMs?: number;
  openapi?: { title?: string; description?: string };
  bodyLimitBytes?: number;
}

const PUBLIC_PATHS = new Set(["/health/live", "/health/ready", "/metrics"]);


const routeOverrides = new WeakMap<Request, string>();

/**
 * Names the route a request is measured and logged under when the Elysia route is a catch-all
 * (the gateway's `/*` serves every upstream template).
 */
export function setHttpRoute(request: Request, route: string): void {
  routeOverrides.set(request, route);
}

function traceparentOfActiveSpan(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-0${(traceFlags & 1).toString(16)}`;
}

const headerGetter = {
  keys: (carrier: Headers) => [...carrier.keys()],
  get: (carrier: Headers, key: string) => carrier.get(key) ?? undefined,
};

interface ValidationLike {
  type: string;
  value?: unknown;
  all?: Array<{ path?: string; message?: string; summary?: string }>;
}

/**
 * Elysia checks a converted query/params value (t.Numeric, t.Integer…) on its own and reports it as
 * `type: "property"` without its name; find the name from the request by the value that failed.
 */
function propertyLocation(error: ValidationLike, request: Request): string {
  const failed = String(error.value);
  const names = [...new URL(request.url).searchParams].filter(([, v]) => v === failed).map(([k]) => k);
  return names.length === 1 ? `query.${names[0]}` : "query";
}

/** Elysia's validation error → the fields that failed. */
function fieldErrors(error: ValidationLike, request: Request): FieldError[] {
  if (error.type === "property") {
    const field = propertyLocation(error, request);
    return [{ field, message: error.all?.[0]?.summary ?? error.all?.[0]?.message ?? "invalid" }];
  }
  const location = error.type === "body" ? "" : `${error.type}.`;
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const issue of error.all ?? []) {
    const field = location + (fieldFromPointer(issue.path ?? "") || "(root)");
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ field: field.replace(/\.$/, ""), message: issue.summary ?? issue.message ?? "invalid" });
  }
  return out.length ? out : [{ field: location.replace(/\.$/, "") || "body", message: "invalid" }];
}

export function createHttpApp(options: HttpAppOptions) {
  const telemetry = initTelemetry({ serviceName: options.service, version: options.version });
  const { logger } = options;
  const bodyLimit = options.bodyLimitBytes ?? 1_048_576;
  const checks = options.checks ?? [];
  const startedAt = new WeakMap<Request, number>();
  const serverSpans = new WeakMap<Request, Span>();

  const duration: Histogram = telemetry.meter.createHistogram("http_server_request_duration_seconds", {
    description: "HTTP server request duration",
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
  });
  const dependencyUp = telemetry.meter.createObservableGauge("health_dependency_up", {
    description: "1 when the dependency answered the last readiness check",
  });
  const lastReadiness = new Map<string, number>();
  dependencyUp.addCallback((r) => {
    for (const [dependency, up] of lastReadiness) r.observe(up, { dependency });
  });

  const toResponse = (
    error: unknown,
    code: string | number,
    request: Request,
    path: string,
    set: { status?: number | string },
  ): Response => {
    const traceId = trace.getActiveSpan()?.spanContext().traceId;
    let problem: ProblemError;
    if (error instanceof ProblemError) problem = error;
    else if (code === "VALIDATION") problem = problems.validation(fieldErrors(error as ValidationLike, request));
    else if (code === "NOT_FOUND") problem = problems.notFound(`No route for ${request.method} ${path}`);
    else if (code === "PARSE") problem = problems.badRequest("The request body could not be parsed.");
    else if (code === "INVALID_COOKIE_SIGNATURE") problem = problems.badRequest("Invalid cookie signature.");
    else if (typeof code === "number" && code >= 400 && code < 500)
      problem = new ProblemError({ status: code, slug: `http-${code}`, title: String((error as Error)?.message ?? code) });
    else if (isDatabaseUnavailable(error)) {
      // A dropped or refused database connection costs this request only: 503, the client may retry.
      logger.warn({ err: (error as Error)?.message, method: request.method, path }, "database unavailable");
      problem = problems.serviceUnavailable("The database is unavailable for a moment; retry the request.");
    } else {
      logger.error({ err: error, method: request.method, path }, "unhandled error");
      problem = problems.internal("An unexpected error occurred. The trace id identifies it in the logs.");
    }
    set.status = problem.status;
    const headers: Record<string, string> = problem.status === 503 ? { "retry-after": "1" } : {};
    const traceparent = traceparentOfActiveSpan();
    if (traceparent) headers.traceparent = traceparent;
    return problemResponse(problem.toProblem(path, traceId), headers);
  };

  return new Elysia({ name: `meridian:${options.service}` })
    // One SERVER span per request, continuing the caller's W3C trace. @elysiajs/opentelemetry also
    // opens a span per lifecycle hook, which cut throughput threefold in bench/ (gateway-overhead).
    .wrap((handle, request) => {
      const path = new URL(request.url).pathname;
      if (PUBLIC_PATHS.has(path)) return handle;
      const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
      const span = telemetry.tracer.startSpan(
        request.method,
        { kind: SpanKind.SERVER, attributes: { "http.request.method": request.method, "url.path": path } },
        parent,
      );
      serverSpans.set(request, span);
      const active = trace.setSpan(parent, span);
      return (...args: unknown[]) => context.with(active, () => handle(...args));
    })
    .use(
      openapi({
        path: "/openapi",
        documentation: {
          info: {
            title: options.openapi?.title ?? `${options.service} API`,
            version: options.version,
            description: options.openapi?.description,
          },
          components: {
            securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
          },
        },
        exclude: { paths: [...PUBLIC_PATHS] },
      }),
    )
    .derive({ as: "global" }, () => ({ log: logger.child({}) }))
    .onRequest(({ request, set }) => {
      startedAt.set(request, performance.now());
      const traceparent = traceparentOfActiveSpan();
      if (traceparent) set.headers.traceparent = traceparent;
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > bodyLimit) {
        const path = new URL(request.url).pathname;
        return problemResponse(
          problems.payloadTooLarge(`The body is ${length} bytes; the limit is ${bodyLimit}.`).toProblem(path),
        );
      }
    })
    .onTransform({ as: "global" }, ({ body, query, params, request }) =>
      assertStorableInput({ contentType: request.headers.get("content-type"), body, query, params }),
    )
    .onError({ as: "global" }, ({ error, code, request, path, set }) => toResponse(error, code, request, path, set))
    .onAfterResponse({ as: "global" }, ({ request, route, set, path }) => {
      const started = startedAt.get(request) ?? performance.now();
      const ms = performance.now() - started;
      const status = typeof set.status === "number" ? set.status : 200;
      if (PUBLIC_PATHS.has(path)) return;
      const httpRoute = routeOverrides.get(request) ?? (route || "unmatched");
      const span = serverSpans.get(request);
      if (span) {
        span.updateName(`${request.method} ${httpRoute}`);
        span.setAttributes({ "http.route": httpRoute, "http.response.status_code": status });
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      duration.record(ms / 1000, {
        "http.request.method": request.method,
        "http.route": httpRoute,
        "http.response.status_code": status,
      });
      logger.info({ method: request.method, route: httpRoute, path, status, ms: Math.round(ms * 10) / 10 }, "request");
    })
    .get("/health/live", () => ({ status: "up" as const }), { detail: { hide: true } })
    .get(
      "/health/ready",
      async ({ set }) => {
        const report = await runChecks(checks, options.checkTimeoutMs);
        for (const c of report.checks) lastReadiness.set(c.name, c.status === "up" ? 1 : 0);
        if (report.status === "down") set.status = 503;
        return report;
      },
      { detail: { hide: true } },
    )
    .get(
      "/metrics",
      async () =>
        new Response(await telemetry.metricsText(), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        }),
      { detail: { hide: true } },
    );
}

export type HttpApp = ReturnType<typeof createHttpApp>;

/** How main.ts and tests start a service in-process. */
export interface ServiceStartOptions {
  logger: Logger;
  /** main.ts: true (SIGTERM/SIGINT → graceful stop); tests: false. */
  handleSignals?: boolean;
  /** Consumer retry delays (tests shorten them). */
  retryDelaysMs?: number[];
}

export interface ServeOptions {
  port: number;
  host?: string;
  logger: Logger;
  shutdownGraceMs?: number;
  bodyLimitBytes?: number;
  /** Close pools, consumers, relays: runs after in-flight requests finish. */
  onShutdown?: () => Promise<void> | void;
  /** Install SIGTERM/SIGINT handlers (off in tests that run several servers in one process). */
  handleSignals?: boolean;
}

/** The listen settings of `baseConfig()` (PORT, HOST, SHUTDOWN_GRACE_MS, BODY_LIMIT_BYTES) as `serve` options. */
export function serveOptions(
  config: Pick<BaseConfig, "PORT" | "HOST" | "SHUTDOWN_GRACE_MS" | "BODY_LIMIT_BYTES">,
): Pick<ServeOptions, "port" | "host" | "shutdownGraceMs" | "bodyLimitBytes"> {
  return {
    port: config.PORT,
    host: config.HOST,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  };
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stop accepting, let in-flight requests finish (up to the grace period), then run onShutdown. */
  stop(): Promise<void>;
}

// Elysia's generic app type varies with every plugin; serve needs only listen/stop/server.
interface Listenable {
  listen(options: { port: number; hostname: string; maxRequestBodySize: number }): unknown;
  server: { port?: number; stop(closeActiveConnections?: boolean): Promise<void> | void } | null;
}

export async function serve(app: Listenable, options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const grace = options.shutdownGraceMs ?? 10_000;
  // The app answers oversized bodies with a 413 problem from their Content-Length; Bun's own limit is
  // the hard ceiling for bodies sent without one.
  const hardCeiling = (options.bodyLimitBytes ?? 1_048_576) * 8;
  app.listen({ port: options.port, hostname: host, maxRequestBodySize: hardCeiling });
  const server = app.server;
  if (!server?.port) throw new Error(`could not listen on ${host}:${options.port}`);
  const port = server.port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  options.logger.info({ url }, "listening");

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      options.logger.info({ graceMs: grace }, "shutting down: no new connections, finishing in-flight requests");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const drained = Promise.resolve(server.stop(false)).then(() => true);
      const timedOut = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), grace);
      });
      const clean = await Promise.race([drained, timedOut]);
      clearTimeout(timer);
      if (!clean) {
        options.logger.warn("grace period over: closing remaining connections");
        await server.stop(true);
      }
      await options.onShutdown?.();
      options.logger.info("stopped");
    })());

  if (options.handleSignals !== false) {
    installLastResortGuard(options.logger, stop);
    const onSignal = (signal: string) => {
      options.logger.info({ signal }, "signal received");
      stop()
        .then(() => process.exit(0))
        .catch((error) => {
          options.logger.error({ err: error }, "shutdown failed");
          process.exit(1);
        });
    };
    process.once("SIGTERM", () => onSignal("SIGTERM"));
    process.once("SIGINT", () => onSignal("SIGINT"));
  }
  return { url, port, stop };
}

export { PROBLEM_CONTENT_TYPE };
