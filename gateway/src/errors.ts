import type { ProblemError } from "@meridian/kit";

/** A refusal decided by a pipeline stage: its problem answer plus headers (challenge, Retry-After, …). */
export class GatewayError extends Error {
  constructor(
    readonly problem: ProblemError,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.message);
  }
}
