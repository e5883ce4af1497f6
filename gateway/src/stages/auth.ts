/**
 * Authentication (Ocelot's AuthenticationMiddleware, 401), authorization (AuthorizationMiddleware: AllowedScopes,
 * then RouteClaimsRequirement, 403) and claims to headers/query (ClaimsToHeaders/ClaimsToQueryString, 403 when a
 * claim is missing). OPTIONS passes without a token, as in Ocelot.
 */
import type { Counter } from "@opentelemetry/api";
import { problems, type Logger, type ProblemError } from "@meridian/kit";
import { bearerChallenge, bearerToken, type AuthContext, type TokenVerifier } from "@meridian/kit/auth";
import type { RouteConfig } from "../config";
import type { GatewayRequest } from "../context";
import { GatewayError } from "../errors";
import { safeDecode } from "../request-line";

type AuthFailureReason = "missing_token" | "invalid_token" | "insufficient_scope" | "claim_mismatch";

/** String values of a claim: arrays give one value per element (as ASP.NET maps JSON arrays to claims). */
export function claimValues(claims: Record<string, unknown>, type: string): string[] {
  const value = claims[type];
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(claimText) : [claimText(value)];
}

function claimText(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
}

const PLACEHOLDER_VALUE = /^\{(.+)\}$/;

export interface AuthStages {
  authenticate(ctx: GatewayRequest): Promise<void>;
  authorize(ctx: GatewayRequest): void;
  /** AddHeadersToRequest / AddQueriesToRequest values; a missing claim is a 403. */
  claimsTo(ctx: GatewayRequest, specs: RouteConfig["addHeaders"]): Record<string, string>;
}

export function createAuthStages(verifier: TokenVerifier | undefined, logger: Logger, authFailures: Counter): AuthStages {
  function fail(reason: AuthFailureReason, route: RouteConfig, problem: ProblemError, challenge: string): never {
    authFailures.add(1, { reason, route: route.upstream.original });
    throw new GatewayError(problem, { "www-authenticate": challenge });
  }

  function tokenOf(ctx: GatewayRequest): string | undefined {
    const header = ctx.request.headers.get("authorization");
    const token = bearerToken(header);
    const param = ctx.rt.route.queryTokenParameter;
    // Meridian extension, for EventSource clients that cannot send headers: only a route that names the parameter,
    // only for GET (a query token ends up in logs and browser history, so never on a write).
    if (token || header || !param || ctx.method !== "GET") return token;
    return new URLSearchParams(ctx.rawQuery).get(param) ?? undefined;
  }

  async function authenticate(ctx: GatewayRequest): Promise<void> {
    const route = ctx.rt.route;
    if (!route.authenticated || !verifier || ctx.method === "OPTIONS") return;
    const token = tokenOf(ctx);
    if (!token) fail("missing_token", route, problems.unauthorized("a bearer token is required"), bearerChallenge("meridian"));
    try {
      ctx.auth = await verifier.verify(token);
    } catch (err) {
      const detail = err instanceof Error ? err.message : "invalid token";
      logger.info({ route: route.id, reason: (err as { reason?: string }).reason, detail }, "token rejected");
      fail(
        "invalid_token",
        route,
        problems.unauthorized(`invalid token: ${detail}`),
        bearerChallenge("meridian", { code: "invalid_token", description: detail }),
      );
    }
  }

  function authorize(ctx: GatewayRequest): void {
    const route = ctx.rt.route;
    if (ctx.method === "OPTIONS") return;
    const claims = (ctx.auth?.claims ?? {}) as Record<string, unknown>;
    // The kit's scope rule (scopesOf), the same one every service applies.
    if (route.authenticated && route.allowedScopes.length > 0) {
      const userScopes = ctx.auth?.scopes ?? [];
      if (!route.allowedScopes.some((s) => userScopes.includes(s)))
        fail(
          "insufficient_scope",
          route,
          problems.forbidden(`requires one of the scopes: ${route.allowedScopes.join(" ")}`),
          bearerChallenge("meridian", { code: "insufficient_scope", scope: route.allowedScopes.join(" ") }),
        );
    }
    for (const [type, required] of route.claimsRequirementEntries) {
      const values = claimValues(claims, type);
      if (values.length === 0)
        fail("claim_mismatch", route, problems.forbidden(`requires claim ${type}`), bearerChallenge("meridian"));
      const variable = PLACEHOLDER_VALUE.exec(required);
      const raw = variable ? ctx.placeholders.find((p) => p.name === `{${variable[1]}}`)?.value : required;
      const expected = variable && raw !== undefined ? safeDecode(raw) : raw;
      if (expected === undefined || !values.includes(expected))
        fail("claim_mismatch", route, problems.forbidden(`claim ${type} does not allow this request`), bearerChallenge("meridian"));
    }
  }

  function claimsTo(ctx: GatewayRequest, specs: RouteConfig["addHeaders"]): Record<string, string> {
    const out: Record<string, string> = {};
    const claims = (ctx.auth?.claims ?? {}) as Record<string, unknown>;
    for (const spec of specs) {
      // Ocelot's ClaimsParser.GetValue: the first claim of that type; without a delimiter the whole value (any
      // index ignored); with one, split on each of its characters and take `value[n]` (n defaults to 0).
      let value = claimValues(claims, spec.claim)[0];
      if (value !== undefined && spec.splitter) value = value.split(spec.splitter)[spec.index ?? 0];
      if (value === undefined)
        fail("claim_mismatch", ctx.rt.route, problems.forbidden(`cannot find claim ${spec.claim}`), bearerChallenge("meridian"));
      out[spec.header] = value;
    }
    return out;
  }

  return { authenticate, authorize, claimsTo };
}
