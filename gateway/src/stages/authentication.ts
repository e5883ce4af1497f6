/**
 * Authentication (Ocelot's AuthenticationMiddleware): a bearer token verified by the kit → 401 when missing or
 * invalid. OPTIONS passes without a token, as in Ocelot.
 */
import { problems, type Logger } from "@meridian/kit";
import { bearerChallenge, bearerToken, type TokenVerifier } from "@meridian/kit/auth";
import type { GatewayRequest } from "../context";
import type { FailAuth } from "./auth-failure";

/** The bearer token of the Authorization header: never from the query string (it would end up in logs and history). */
function tokenOf(ctx: GatewayRequest): string | undefined {
  return bearerToken(ctx.request.headers.get("authorization"));
}

export function createAuthenticationStage(verifier: TokenVerifier | undefined, logger: Logger, fail: FailAuth) {
  async function verify(ctx: GatewayRequest, verifier: TokenVerifier, token: string): Promise<void> {
    const route = ctx.rt.route;
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

  /** Sets `ctx.auth`; returns a promise only when the token must be verified (not when the cache knows it). */
  return function authenticate(ctx: GatewayRequest): Promise<void> | undefined {
    const route = ctx.rt.route;
    if (!route.authenticated || !verifier || ctx.method === "OPTIONS") return undefined;
    const token = tokenOf(ctx);
    if (!token) fail("missing_token", route, problems.unauthorized("a bearer token is required"), bearerChallenge("meridian"));
    ctx.auth = verifier.cached?.(token);
    return ctx.auth ? undefined : verify(ctx, verifier, token);
  };
}
