import { Elysia } from "elysia";
import { problems, type ProblemError } from "../errors";
import { TokenVerificationError, type AuthContext, type TokenVerifier } from "./verifier";

export interface AuthPluginOptions {
  /** Value of `realm` in WWW-Authenticate (default "meridian"). */
  realm?: string;
}

/** Extracts the token of an `Authorization: Bearer <token>` header; undefined when absent or another scheme. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(authorization);
  return match?.[1];
}

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, "")}"`;
}

/** RFC 6750 §3 challenge. */
export function bearerChallenge(
  realm: string,
  error?: { code: "invalid_token" | "insufficient_scope" | "invalid_request"; description?: string; scope?: string },
): string {
  const parts = [`realm=${quoted(realm)}`];
  if (error) {
    parts.push(`error=${quoted(error.code)}`);
    if (error.description) parts.push(`error_description=${quoted(error.description)}`);
    if (error.scope) parts.push(`scope=${quoted(error.scope)}`);
  }
  return `Bearer ${parts.join(", ")}`;
}

function withHeader(problem: ProblemError, name: string, value: string): ProblemError {
  // ProblemError renders its `headers` (if any) on the response; kept additive so callers' headers survive.
  const target = problem as ProblemError & { headers?: Record<string, string> };
  target.headers = { ...(target.headers ?? {}), [name]: value };
  return problem;
}

/** 401 problem carrying a Bearer challenge. */
export function unauthorizedProblem(detail: string, realm = "meridian", invalidToken = true): ProblemError {
  return withHeader(
    problems.unauthorized(detail),
    "www-authenticate",
    bearerChallenge(realm, invalidToken ? { code: "invalid_token", description: detail } : undefined),
  );
}

interface HeaderSink {
  headers: Record<string, string | number>;
}

/** Copies the problem's challenge header onto the response (the kit's error renderer keeps `set.headers`). */
function challenge<E>(set: HeaderSink, err: E): E {
  const headers = (err as { headers?: Record<string, string> }).headers;
  if (headers) for (const [k, v] of Object.entries(headers)) set.headers[k] = v;
  return err;
}

/** Throws 403 unless the caller holds every one of `scopes`. */
export function requireScopes(auth: AuthContext, ...scopes: string[]): void {
  const missing = scopes.filter((s) => !auth.scopes.includes(s));
  if (missing.length > 0)
    throw withHeader(
      problems.forbidden(`missing scope: ${missing.join(" ")}`),
      "www-authenticate",
      bearerChallenge("meridian", { code: "insufficient_scope", scope: scopes.join(" ") }),
    );
}

/** Throws 403 unless the caller holds at least one of `roles`. */
export function requireRole(auth: AuthContext, ...roles: string[]): void {
  if (!roles.some((r) => auth.roles.includes(r))) throw problems.forbidden(`requires role: ${roles.join(" or ")}`);
}

/** True when the caller holds `role`. */
export function hasRole(auth: AuthContext, role: string): boolean {
  return auth.roles.includes(role);
}

/**
 * Elysia plugin: every route registered after `.use(authPlugin(verifier))` in the same instance requires a valid
 * bearer token in the `Authorization` header (never from the query string, where it would end up in logs and
 * browser history; streaming clients send the header too) and gets `auth` in its context; missing or invalid token → 401 problem with a Bearer challenge.
 * Route options `scopes: [...]` (all required) and `roles: [...]` (any one) add 403 guards.
 * Public routes: register them before the plugin or in another instance.
 */
export function authPlugin(verifier: TokenVerifier, options: AuthPluginOptions = {}) {
  const realm = options.realm ?? "meridian";
  return new Elysia({ name: "@meridian/kit/auth", seed: [verifier.issuer, realm] })
    .derive({ as: "scoped" }, async ({ request, set }): Promise<{ auth: AuthContext }> => {
      const header = request.headers.get("authorization");
      const token = bearerToken(header);
      if (!token) {
        throw challenge(
          set,
          header
            ? unauthorizedProblem("Authorization header is not a Bearer token", realm)
            : unauthorizedProblem("a bearer token is required", realm, false),
        );
      }
      try {
        return { auth: await verifier.verify(token) };
      } catch (err) {
        if (err instanceof TokenVerificationError) throw challenge(set, unauthorizedProblem(`invalid token: ${err.message}`, realm));
        throw err;
      }
    })
    .macro({
      scopes: (required: string[]) => ({
        beforeHandle(ctx: { auth?: AuthContext; set: HeaderSink }) {
          if (!ctx.auth) throw challenge(ctx.set, unauthorizedProblem("a bearer token is required", realm, false));
          try {
            requireScopes(ctx.auth, ...required);
          } catch (err) {
            throw challenge(ctx.set, err);
          }
        },
      }),
      roles: (anyOf: string[]) => ({
        beforeHandle(ctx: { auth?: AuthContext; set: HeaderSink }) {
          if (!ctx.auth) throw challenge(ctx.set, unauthorizedProblem("a bearer token is required", realm, false));
          requireRole(ctx.auth, ...anyOf);
        },
      }),
    });
}
