/**
 * PostgreSQL connections the way every service opens them (postgres.js), and the one rule for which database
 * errors are transient: a dropped or refused connection, a backend the server terminated, a serialization
 * failure or deadlock. Transient errors are retried in place (with backoff) by messages and start-up, and
 * answered 503 by the HTTP layer; anything else is a real failure.
 * The postgres.js bugs around terminated connections and the patch are recorded in docs/adr/postgres-js-terminated-connections.md.
 */
import postgres from "postgres";
import type { Logger } from "./logging";

export interface PostgresPoolOptions {
  /** Pool size (default 10). */
  max?: number;
  /** `application_name` the server shows for these connections (pg_stat_activity). */
  applicationName?: string;
}

/**
 * Seconds a new connection may take to start. Short: a start-up that stalls (a wedged connection) is given up
 * and the connection re-created for the next query, instead of holding a request for postgres.js' default 30 s.
 */
export const CONNECT_TIMEOUT_S = 5;

/**
 * Seconds before a pool connection that failed is tried again, after `retries` failures in a row. postgres.js' default
 * grows as 3^n / 100 s up to 20 s with a counter shared by the whole pool, so a few seconds of refused connections left
 * a pool waiting up to 20 s after the database was back. A refused connection costs next to nothing: capped at 1 s
 * (with jitter), the pool serves again within a second of the database's return.
 */
export function reconnectBackoffSeconds(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2);
}

/** A postgres.js pool with the platform's settings. */
export function openPostgres(url: string, options: PostgresPoolOptions = {}): postgres.Sql {
  return postgres(url, {
    max: options.max ?? 10,
    connect_timeout: CONNECT_TIMEOUT_S,
    backoff: reconnectBackoffSeconds,
    // Idle connections are closed, so a pool that lived through an outage starts over with fresh sockets.
    idle_timeout: 60,
    max_lifetime: 30 * 60,
    onnotice: () => {},
    ...(options.applicationName ? { connection: { application_name: options.applicationName } } : {}),
  });
}

/** postgres.js' own connection error codes. */
const DRIVER_CONNECTION_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"]);
/** Socket-level codes (Node/Bun errno names). */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
/** SQLSTATEs meaning "the server (or this backend) is going away or not there yet". */
const SERVER_UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300", "08000", "08001", "08003", "08004", "08006", "08007"]);
/**
 * node-postgres (under Emmett/Pongo event stores) reports a lost connection without a code: by its message.
 */
const NODE_POSTGRES_CONNECTION_MESSAGES = [
  "Connection terminated unexpectedly",
  "Connection terminated",
  "Client has encountered a connection error and is not queryable",
  "timeout exceeded when trying to connect",
  "Client was closed and is not queryable",
];
/** SQLSTATEs meaning "this transaction lost a race; the same work will likely succeed when run again". */
const RETRY_STATES = new Set(["40001", "40P01"]);

/** The error and its causes (drizzle and Emmett wrap driver errors in `cause`), a few levels deep. */
function chainOf(error: unknown): object[] {
  const chain: object[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === "object"; depth++) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function codesOf(error: unknown): string[] {
  const codes: string[] = [];
  for (const link of chainOf(error)) {
    const { code, errno } = link as { code?: unknown; errno?: unknown };
    if (typeof code === "string") codes.push(code);
    if (typeof errno === "string") codes.push(errno);
  }
  return codes;
}

/** A lost, refused or terminated database connection: the database is (for now) unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (codesOf(error).some((code) => DRIVER_CONNECTION_CODES.has(code) || SOCKET_CODES.has(code) || SERVER_UNAVAILABLE_STATES.has(code))) {
    return true;
  }
  return chainOf(error).some((link) => {
    const message = (link as { message?: unknown }).message;
    return typeof message === "string" && NODE_POSTGRES_CONNECTION_MESSAGES.some((known) => message.startsWith(known));
  });
}

/** Worth running again as is: the database was unavailable, or the transaction lost a serialization race. */
export function isTransientDatabaseError(error: unknown): boolean {
  return isDatabaseUnavailable(error) || codesOf(error).some((code) => RETRY_STATES.has(code));
}

export interface RetryOptions {
  /** Attempts in all, the first included (default 5). */
  attempts?: number;
  /** Wait before the second attempt; doubles each time (default 100 ms). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Which errors to retry (default: transient database errors). */
  retryIf?: (error: unknown) => boolean;
  /** Stops retrying (the last error is thrown) once aborted. */
  signal?: AbortSignal;
  logger?: Logger;
  /** Names the work in log lines. */
  what?: string;
}

/** Runs `work`, retrying transient failures with exponential backoff and jitter; throws the last error. */
export async function retryTransient<T>(work: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const retryIf = options.retryIf ?? isTransientDatabaseError;
  let delayMs = options.initialDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 5000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryIf(error) || options.signal?.aborted) throw error;
      const wait = Math.round(delayMs * (0.75 + Math.random() / 2));
      options.logger?.warn({ err: errorText(error), attempt, retryInMs: wait }, `${options.what ?? "database work"} failed; retrying`);
      await Bun.sleep(wait);
      delayMs = Math.min(maxDelayMs, delayMs * 2);
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
