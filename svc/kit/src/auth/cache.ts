/**
 * A bounded cache of verified tokens in front of a TokenVerifier: verifying an RS256 signature costs more than
 * everything else a proxy hop does, and a client sends the same token many times. A token is served from the cache
 * until the earlier of its `exp` and `ttlMs` after it was verified (so a key withdrawn from the JWKS stops being
 * honoured within `ttlMs`). Refused tokens are never cached; concurrent verifications of one token share one result.
 */
import type { AuthContext, TokenVerifier } from "./verifier";

export interface TokenCacheOptions {
  /** Most tokens kept; the least recently verified ones go first (default 10 000). */
  maxEntries?: number;
  /** Longest time a verified token is served from the cache, ms (default 30 000). */
  ttlMs?: number;
}

interface Entry {
  auth: AuthContext;
  expiresAt: number;
}

export function cachingVerifier(verifier: TokenVerifier, options: TokenCacheOptions = {}): TokenVerifier {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? 30_000;
  // Map iteration order is insertion order: the first key is the oldest entry.
  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<AuthContext>>();

  function remember(token: string, auth: AuthContext): void {
    const exp = typeof auth.claims.exp === "number" ? auth.claims.exp * 1000 : 0;
    const expiresAt = Math.min(exp, Date.now() + ttlMs);
    if (expiresAt <= Date.now()) return;
    if (entries.size >= maxEntries) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    entries.set(token, { auth, expiresAt });
  }

  function cached(token: string): AuthContext | undefined {
    const hit = entries.get(token);
    if (!hit) return undefined;
    if (hit.expiresAt > Date.now()) return hit.auth;
    entries.delete(token);
    return undefined;
  }

  function verify(token: string): Promise<AuthContext> {
    const hit = cached(token);
    if (hit) return Promise.resolve(hit);
    const inFlight = pending.get(token);
    if (inFlight) return inFlight;
    const verification = verifier.verify(token).then(
      (auth) => {
        pending.delete(token);
        remember(token, auth);
        return auth;
      },
      (err: unknown) => {
        pending.delete(token);
        throw err;
      },
    );
    pending.set(token, verification);
    return verification;
  }

  return { issuer: verifier.issuer, verify, cached };
}
