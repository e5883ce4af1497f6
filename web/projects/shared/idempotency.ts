/** A fresh Idempotency-Key (8..128 chars per docs/api.md). */
export function newIdempotencyKey(): string {
  return `web-${crypto.randomUUID()}`;
}
