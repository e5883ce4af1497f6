/** Refusals of the authentication and authorization stages: counted by reason, answered with a Bearer challenge. */
import type { Counter } from "@opentelemetry/api";
import type { ProblemError } from "@meridian/kit";
import type { RouteConfig } from "../config";
import { GatewayError } from "../errors";

export type AuthFailureReason = "missing_token" | "invalid_token" | "insufficient_scope" | "claim_mismatch";

export type FailAuth = (reason: AuthFailureReason, route: RouteConfig, problem: ProblemError, challenge: string) => never;

export function authFailure(authFailures: Counter): FailAuth {
  return (reason, route, problem, challenge) => {
    authFailures.add(1, { reason, route: route.upstream.original });
    throw new GatewayError(problem, { "www-authenticate": challenge });
  };
}
