#!/usr/bin/env bun
/** meridian-events: see `--help`. Exit codes: 0 ok, 1 bad input, 2 RabbitMQ unreachable, 3 not found. */
import { buildProgram } from "./cli";
import { NotFoundError } from "./commands/errors";
import { InputError } from "./domain/body";
import { BrokerUnreachableError } from "./messaging/connection";

function exitCodeOf(err: unknown): number {
  if (err instanceof InputError) return 1;
  if (err instanceof BrokerUnreachableError) return 2;
  if (err instanceof NotFoundError) return 3;
  return 1;
}

try {
  await buildProgram().parseAsync(process.argv);
  process.exit(0);
} catch (err) {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(exitCodeOf(err));
}
