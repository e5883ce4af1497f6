/**
 * One error model for every HTTP API: RFC 9457 problem details (application/problem+json).
 * Each kind has a stable `type` URI documented in docs/errors.md.
 */
export const PROBLEM_BASE = "https://meridian.dev/problems/";
export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  traceId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export interface ProblemInit {
  status: number;
  slug: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  extensions?: Record<string, unknown>;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: FieldError[];
  readonly extensions?: Record<string, unknown>;

  constructor(init: ProblemInit) {
    super(init.detail ?? init.title);
    this.name = "ProblemError";
    this.status = init.status;
    this.type = PROBLEM_BASE + init.slug;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors;
    this.extensions = init.extensions;
  }

  toProblem(instance?: string, traceId?: string): ProblemDetails {
    return {
      ...this.extensions,
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail !== undefined && { detail: this.detail }),
      ...(instance !== undefined && { instance }),
      ...(traceId !== undefined && { traceId }),
      ...(this.errors && { errors: this.errors }),
    };
  }
}

const kind = (status: number, slug: string, title: string) => (detail?: string) => new ProblemError({ status, slug, title, detail });

/** The error kinds every service shares. */
export const problems = {
  validation: (errors: FieldError[], detail = "The request is invalid.") =>
    new ProblemError({ status: 400, slug: "validation", title: "Validation failed", detail, errors }),
  badRequest: kind(400, "bad-request", "Bad request"),
  unauthorized: kind(401, "unauthorized", "Unauthorized"),
  forbidden: kind(403, "forbidden", "Forbidden"),
  notFound: kind(404, "not-found", "Not found"),
  methodNotAllowed: kind(405, "method-not-allowed", "Method not allowed"),
  conflict: kind(409, "conflict", "Conflict"),
  payloadTooLarge: kind(413, "payload-too-large", "Payload too large"),
  unsupportedMediaType: kind(415, "unsupported-media-type", "Unsupported media type"),
  tooManyRequests: kind(429, "too-many-requests", "Too many requests"),
  internal: kind(500, "internal", "Internal server error"),
  badGateway: kind(502, "bad-gateway", "Bad gateway"),
  serviceUnavailable: kind(503, "service-unavailable", "Service unavailable"),
  gatewayTimeout: kind(504, "gateway-timeout", "Gateway timeout"),
};

export function problemResponse(problem: ProblemDetails, headers?: Record<string, string>): Response {
  const h = new Headers(headers);
  h.set("content-type", PROBLEM_CONTENT_TYPE);
  return new Response(JSON.stringify(problem), { status: problem.status, headers: h });
}

/** "/lines/0/sku" → "lines[0].sku" (how a person reads a field path). */
export function fieldFromPointer(pointer: string): string {
  return pointer
    .split("/")
    .filter(Boolean)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}
