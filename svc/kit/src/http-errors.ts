/**
 * Every error an app raises, as the RFC 9457 problem+json answer of docs/errors.md: validation failures name
 * their fields, a dropped database connection is a 503 to retry, anything unknown is a 500 with the trace id.
 */
import { trace } from "@opentelemetry/api";
import { oversizeProblemOf } from "./body-limit";
import { fieldFromPointer, ProblemError, problemResponse, problems, type FieldError } from "./errors";
import type { Logger } from "./logging";
import { isDatabaseUnavailable } from "./postgres";

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

/** The W3C traceparent of the active span, echoed on every answer. */
export function traceparentOfActiveSpan(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-0${(traceFlags & 1).toString(16)}`;
}

/** Elysia's error code (or a thrown ProblemError) → the problem to answer with. */
function problemOf(error: unknown, code: string | number, request: Request, path: string, logger: Logger): ProblemError {
  if (error instanceof ProblemError) return error;
  const oversize = oversizeProblemOf(error);
  if (oversize) return oversize;
  if (code === "VALIDATION") return problems.validation(fieldErrors(error as ValidationLike, request));
  if (code === "NOT_FOUND") return problems.notFound(`No route for ${request.method} ${path}`);
  if (code === "PARSE") return problems.badRequest("The request body could not be parsed.");
  if (code === "INVALID_COOKIE_SIGNATURE") return problems.badRequest("Invalid cookie signature.");
  if (typeof code === "number" && code >= 400 && code < 500)
    return new ProblemError({ status: code, slug: `http-${code}`, title: String((error as Error)?.message ?? code) });
  if (isDatabaseUnavailable(error)) {
    // A dropped or refused database connection costs this request only: 503, the client may retry.
    logger.warn({ err: (error as Error)?.message, method: request.method, path }, "database unavailable");
    return problems.serviceUnavailable("The database is unavailable for a moment; retry the request.");
  }
  logger.error({ err: error, method: request.method, path }, "unhandled error");
  return problems.internal("An unexpected error occurred. The trace id identifies it in the logs.");
}

/** The app's onError handler: the problem+json answer, with traceparent (and Retry-After on a 503). */
export function errorResponder(logger: Logger) {
  return ({
    error,
    code,
    request,
    path,
    set,
  }: {
    error: unknown;
    code: string | number;
    request: Request;
    path: string;
    set: { status?: number | string };
  }): Response => {
    const problem = problemOf(error, code, request, path, logger);
    set.status = problem.status;
    const headers: Record<string, string> = problem.status === 503 ? { "retry-after": "1" } : {};
    // An oversize body is not read: close the connection rather than drain it.
    if (problem.status === 413) headers.connection = "close";
    const traceparent = traceparentOfActiveSpan();
    if (traceparent) headers.traceparent = traceparent;
    return problemResponse(problem.toProblem(path, trace.getActiveSpan()?.spanContext().traceId), headers);
  };
}
