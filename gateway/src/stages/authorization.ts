/**
 * Authorization (Ocelot's AuthorizationMiddleware: AllowedScopes, then RouteClaimsRequirement → 403) and claims to
 * headers/query (ClaimsToHeaders / ClaimsToQueryString: a missing claim → 403). OPTIONS is not authorized, as in Ocelot.
 */
import { problems } from "@meridian/kit";
import { bearerChallenge } from "@meridian/kit/auth";
import type { ClaimToThing } from "../config";
import type { GatewayRequest } from "../context";
import { safeDecode } from "../request-line";
import type { FailAuth } from "./auth-failure";

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

export function createAuthorizationStage(fail: FailAuth) {
  function checkScopes(ctx: GatewayRequest): void {
    const route = ctx.rt.route;
    if (!route.authenticated || route.allowedScopes.length === 0) return;
    // The kit's scope rule (scopesOf), the same one every service applies.
    const userScopes = ctx.auth?.scopes ?? [];
    if (!route.allowedScopes.some((s) => userScopes.includes(s)))
      fail(
        "insufficient_scope",
        route,
        problems.forbidden(`requires one of the scopes: ${route.allowedScopes.join(" ")}`),
        bearerChallenge("meridian", { code: "insufficient_scope", scope: route.allowedScopes.join(" ") }),
      );
  }

  function checkClaims(ctx: GatewayRequest): void {
    const route = ctx.rt.route;
    const claims = (ctx.auth?.claims ?? {}) as Record<string, unknown>;
    for (const [type, required] of route.claimsRequirementEntries) {
      const values = claimValues(claims, type);
      if (values.length === 0) fail("claim_mismatch", route, problems.forbidden(`requires claim ${type}`), bearerChallenge("meridian"));
      const variable = PLACEHOLDER_VALUE.exec(required);
      const raw = variable ? ctx.placeholders.find((p) => p.name === `{${variable[1]}}`)?.value : required;
      const expected = variable && raw !== undefined ? safeDecode(raw) : raw;
      if (expected === undefined || !values.includes(expected))
        fail("claim_mismatch", route, problems.forbidden(`claim ${type} does not allow this request`), bearerChallenge("meridian"));
    }
  }

  /** AddHeadersToRequest / AddQueriesToRequest values; a missing claim is a 403. */
  function claimsTo(ctx: GatewayRequest, specs: ClaimToThing[]): Record<string, string> {
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

  return {
    authorize(ctx: GatewayRequest): void {
      if (ctx.method === "OPTIONS") return;
      checkScopes(ctx);
      checkClaims(ctx);
    },
    claimsTo,
  };
}

export type AuthorizationStage = ReturnType<typeof createAuthorizationStage>;
