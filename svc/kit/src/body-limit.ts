/**
 * The body limit (BODY_LIMIT_BYTES) as the app enforces it, so that every oversize body gets the documented
 * problem+json 413 (docs/errors.md):
 * - a Content-Length above the limit is refused from the header, before anything is read;
 * - a streamed body (chunked, no Content-Length) is read up to the limit and refused at the first byte past it.
 * Bun's own `maxRequestBodySize` would answer both with an empty 413 before the app sees the request, so the
 * server's ceiling is set past any announced length (SERVER_BODY_CEILING) and the app is the one limit.
 * Answers to an oversize body close the connection, so the rest of the body is never read.
 */
import { problems } from "./errors";

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

/** Reads the body, throwing the 413 problem as soon as more than `limit` bytes arrived. */
export async function readBounded(request: Request, limit: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit, `The streamed body passed ${limit} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
