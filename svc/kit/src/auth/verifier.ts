import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";

/** Asymmetric algorithms only: never `none`, never HMAC (a shared secret would let any holder mint tokens). */
export const ALLOWED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"] as const;
export type AllowedAlgorithm = (typeof ALLOWED_ALGORITHMS)[number];

export interface TokenVerifierOptions {
  /** Exact issuer (`iss`), e.g. `http://localhost:8180/realms/meridian`. */
  issuer: string;
  /** JWKS URL; when absent it is read from `${issuer}/.well-known/openid-configuration`. */
  jwksUrl?: string;
  /** Required audience (one of). When absent, `aud` is not checked. */
  audience?: string | string[];
  /** Allowed clock skew for exp/nbf/iat, seconds (default 30). */
  clockToleranceSec?: number;
  /** Narrow the algorithm allowlist further (cannot widen it). */
  algorithms?: AllowedAlgorithm[];
  /** Timeout for discovery and JWKS fetches, ms (default 5000). */
  fetchTimeoutMs?: number;
  /** Minimum time between JWKS refetches triggered by an unknown `kid`, ms (default 30000). */
  jwksCooldownMs?: number;
  /** After a failed discovery fetch, wait this long before trying again, ms (default 2000). */
  discoveryRetryMs?: number;
}

/** A verified caller. */
export interface AuthContext {
  sub: string;
  scopes: string[];
  roles: string[];
  claims: JWTPayload & Record<string, unknown>;
  /** The raw bearer token, for forwarding downstream. */
  token: string;
}

export type TokenFailureReason =
  | "missing_token"
  | "malformed"
  | "expired"
  | "not_yet_valid"
  | "bad_issuer"
  | "bad_audience"
  | "bad_signature"
  | "bad_algorithm"
  | "unknown_key"
  | "missing_claim"
  | "keys_unavailable";

export class TokenVerificationError extends Error {
  readonly reason: TokenFailureReason;
  constructor(reason: TokenFailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TokenVerificationError";
    this.reason = reason;
  }
}

export interface TokenVerifier {
  readonly issuer: string;
  /** Verifies a compact JWS access token; throws TokenVerificationError. */
  verify(token: string): Promise<AuthContext>;
  /** A caching verifier's still-valid result for this token, without waiting (undefined: call `verify`). */
  cached?(token: string): AuthContext | undefined;
}

interface DiscoveryDocument {
  issuer?: unknown;
  jwks_uri?: unknown;
}

async function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  const res = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: "application/json" },
    redirect: "error",
  });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return res.json();
}

function stringList(value: unknown): string[] {
  if (typeof value === "string") return value.split(/\s+/).filter((s) => s.length > 0);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}

/** A scope-token never contains white space (RFC 6749 §3.3: `scope-token = 1*NQCHAR`). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * The platform's one scope rule, used by the edge proxy and every service (docs/conventions.md › Tokens):
 * - `scope` as a string is split on white space (RFC 8693 §4.2, RFC 9068 §2.2.3);
 * - `scope` as an array (or `scp`, Azure AD/Okta style) gives one scope per element; an element is never split:
 *   one holding white space (`["items.read items.write"]`) is not a scope-token and grants nothing;
 * - `scp` is read only when `scope` yields no scope; non-string elements are ignored.
 */
export function scopesOf(claims: Record<string, unknown>): string[] {
  const read = (value: unknown) => (typeof value === "string" ? stringList(value) : stringList(value).filter((s) => SCOPE_TOKEN.test(s)));
  const scopes = read(claims.scope);
  return scopes.length > 0 ? scopes : read(claims.scp);
}

/** Roles from a top-level `roles` claim and Keycloak's `realm_access.roles`, de-duplicated. */
export function rolesOf(claims: Record<string, unknown>): string[] {
  const realmAccess = claims.realm_access;
  const realmRoles = realmAccess && typeof realmAccess === "object" ? stringList((realmAccess as { roles?: unknown }).roles) : [];
  return [...new Set([...stringList(claims.roles), ...realmRoles])];
}

function classify(err: unknown): TokenVerificationError {
  if (err instanceof TokenVerificationError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof joseErrors.JWTExpired) return new TokenVerificationError("expired", "token expired", { cause: err });
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === "iss") return new TokenVerificationError("bad_issuer", "unexpected issuer", { cause: err });
    if (err.claim === "aud") return new TokenVerificationError("bad_audience", "unexpected audience", { cause: err });
    if (err.claim === "nbf") return new TokenVerificationError("not_yet_valid", "token not yet valid", { cause: err });
    return new TokenVerificationError("malformed", `invalid claim ${err.claim}: ${message}`, { cause: err });
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported)
    return new TokenVerificationError("bad_algorithm", "token algorithm not allowed", { cause: err });
  if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys)
    return new TokenVerificationError("unknown_key", "no matching signing key", { cause: err });
  if (err instanceof joseErrors.JWSSignatureVerificationFailed)
    return new TokenVerificationError("bad_signature", "signature verification failed", { cause: err });
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid)
    return new TokenVerificationError("keys_unavailable", "signing keys unavailable", { cause: err });
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid)
    return new TokenVerificationError("malformed", "malformed token", { cause: err });
  if (err instanceof joseErrors.JOSEError) return new TokenVerificationError("malformed", `token rejected: ${err.code}`, { cause: err });
  // Anything else (network errors from the JWKS fetch, bad JSON) means we could not get the keys.
  return new TokenVerificationError("keys_unavailable", `signing keys unavailable: ${message}`, { cause: err });
}

/** The checks jose leaves to us on a verified payload (exp and sub present, iat not in the future), then the context. */
function authContextOf(payload: JWTPayload, token: string, clockToleranceSec: number): AuthContext {
  if (typeof payload.exp !== "number") throw new TokenVerificationError("missing_claim", "token has no exp");
  // jose checks `iat` only with maxTokenAge; a token issued in the future means a wrong clock or a forgery.
  if (typeof payload.iat === "number" && payload.iat > Date.now() / 1000 + clockToleranceSec)
    throw new TokenVerificationError("not_yet_valid", "token issued in the future");
  if (typeof payload.sub !== "string" || payload.sub === "") throw new TokenVerificationError("missing_claim", "token has no sub");
  const claims = payload as JWTPayload & Record<string, unknown>;
  return { sub: payload.sub, scopes: scopesOf(claims), roles: rolesOf(claims), claims, token };
}

/**
 * Creates a verifier for access tokens of one issuer. Keys come from the remote JWKS (cached by jose; an unknown
 * `kid` triggers one refetch, at most once per cooldown). Discovery is lazy, so a verifier can be created before
 * the identity provider is up.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const issuer = options.issuer;
  if (!issuer) throw new Error("createTokenVerifier: issuer is required");
  const fetchTimeoutMs = options.fetchTimeoutMs ?? 5000;
  const discoveryRetryMs = options.discoveryRetryMs ?? 2000;
  const algorithms: string[] = (options.algorithms ?? [...ALLOWED_ALGORITHMS]).filter((a) =>
    (ALLOWED_ALGORITHMS as readonly string[]).includes(a),
  );
  const clockTolerance = options.clockToleranceSec ?? 30;

  let keySet: JWTVerifyGetKey | undefined;
  let pending: Promise<JWTVerifyGetKey> | undefined;
  let lastDiscoveryFailure = 0;

  const makeKeySet = (url: string): JWTVerifyGetKey =>
    createRemoteJWKSet(new URL(url), {
      timeoutDuration: fetchTimeoutMs,
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: 10 * 60_000,
    });

  async function discover(): Promise<JWTVerifyGetKey> {
    const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const doc = (await fetchJson(url, fetchTimeoutMs)) as DiscoveryDocument;
    if (doc.issuer !== issuer) throw new Error(`discovery document at ${url} names issuer ${String(doc.issuer)}, expected ${issuer}`);
    if (typeof doc.jwks_uri !== "string") throw new Error(`discovery document at ${url} has no jwks_uri`);
    return makeKeySet(doc.jwks_uri);
  }

  async function keys(): Promise<JWTVerifyGetKey> {
    if (keySet) return keySet;
    if (options.jwksUrl) return (keySet = makeKeySet(options.jwksUrl));
    if (!pending) {
      if (Date.now() - lastDiscoveryFailure < discoveryRetryMs)
        throw new TokenVerificationError("keys_unavailable", "OpenID discovery failed recently; retrying shortly");
      pending = discover().then(
        (ks) => {
          keySet = ks;
          pending = undefined;
          return ks;
        },
        (err: unknown) => {
          pending = undefined;
          lastDiscoveryFailure = Date.now();
          throw new TokenVerificationError(
            "keys_unavailable",
            `OpenID discovery failed: ${err instanceof Error ? err.message : String(err)}`,
            { cause: err },
          );
        },
      );
    }
    return pending;
  }

  async function verify(token: string): Promise<AuthContext> {
    if (!token) throw new TokenVerificationError("missing_token", "no bearer token");
    if (token.split(".").length !== 3) throw new TokenVerificationError("malformed", "token is not a compact JWS");
    const getKey = await keys();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer,
        audience: options.audience,
        algorithms,
        clockTolerance,
      }));
    } catch (err) {
      throw classify(err);
    }
    return authContextOf(payload, token, clockTolerance);
  }

  return { issuer, verify };
}

/** The OIDC variables of `oidcConfig()`; optional where a process may run without them (a proxy that takes its providers from its route table). */
export interface OidcVerifierConfig {
  OIDC_ISSUER: string;
  OIDC_JWKS_URL?: string;
  OIDC_AUDIENCE?: string;
}

/**
 * The verifier of this environment's issuer: keys from OIDC_JWKS_URL when set (else discovery), `aud` checked
 * against OIDC_AUDIENCE when set.
 */
export function verifierFromConfig(config: OidcVerifierConfig): TokenVerifier {
  return createTokenVerifier({
    issuer: config.OIDC_ISSUER,
    ...(config.OIDC_JWKS_URL ? { jwksUrl: config.OIDC_JWKS_URL } : {}),
    ...(config.OIDC_AUDIENCE ? { audience: config.OIDC_AUDIENCE } : {}),
  });
}
