/**
 * The body limit (BODY_LIMIT_BYTES) as the app enforces it, so that every oversize body gets the documented
 * problem+json 413 (docs/errors.md):
 * - a Content-Length above the limit is refused from the header, before anything is read;
 * - a streamed body (chunked, no Content-Length) is counted as it is read and refused at the first byte past it.
 * Bun's own `maxRequestBodySize` would answer both with an empty 413 before the app sees the request, so the
 * server's ceiling is set past any announced length (SERVER_BODY_CEILING) and the app is the one limit.
 * Answers to an oversize body close the connection, so the rest of the body is never read.
 */
import { ProblemError, problems } from "./errors";

/** Bun.serve's maxRequestBodySize: out of reach, the app's limit applies first (see above). */
export const SERVER_BODY_CEILING = Number.MAX_SAFE_INTEGER;

export function tooLarge(limit: number, detail: string) {
  return problems.payloadTooLarge(`${detail}; the limit is ${limit} bytes.`);
}

/** The announced Content-Length when it is above `limit`, else undefined. */
export function announcedOversize(request: Request, limit: number): number | undefined {
  const length = Number(request.headers.get("content-length") ?? 0);
  return Number.isFinite(length) && length > limit ? length : undefined;
}

/** True when the body arrives without a Content-Length (chunked): only reading it tells its size. */
export function isStreamedBody(request: Request): boolean {
  return request.body !== null && !request.headers.has("content-length");
}

/** The request with its streamed body cut at `limit`: reading past it fails with the 413 problem. */
export function withBoundedBody(request: Request, limit: number): Request {
  let size = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      size += chunk.byteLength;
      if (size > limit) controller.error(tooLarge(limit, `The streamed body passed ${limit} bytes`));
      else controller.enqueue(chunk);
    },
  });
  const bounded = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body?.pipeThrough(counter) ?? null,
    signal: request.signal,
    duplex: "half",
  } as RequestInit);
  // Bun.serve's routes put the path parameters on the request it hands over, and Elysia's compiled handlers read
  // them from there: the new request must carry them, or every parameterised route refuses a streamed body.
  const params = (request as Request & { params?: unknown }).params;
  if (params !== undefined) Object.defineProperty(bounded, "params", { value: params, enumerable: true });
  return bounded;
}

/** The 413 problem when `error` is one or was caused by one (Elysia wraps body read errors in a ParseError). */
export function oversizeProblemOf(error: unknown): ProblemError | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ProblemError && e.status === 413) return e;
  }
  return undefined;
}
