/**
 * The last-resort guard of a service process: an error nothing awaited (an unhandled rejection or an uncaught
 * exception) is either a dropped connection a driver failed to contain — logged and survived, since the pool,
 * the broker connection and the consumers recover by themselves and the work in flight is retried — or truly
 * unknown: logged as fatal, and the process stops cleanly (in-flight work finished, connections closed) and
 * exits 1 for the orchestrator to restart it, rather than run on in an unknown state.
 */
import type { Logger } from "./logging";
import { isDatabaseUnavailable } from "./postgres";

/** Connection failures of the broker and Redis clients that are safe to survive. */
function isConnectionNoise(error: unknown): boolean {
  if (isDatabaseUnavailable(error)) return true;
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  return (
    name === "BrokerUnavailableError" ||
    /\b(Connection closed|Channel closed|Socket closed abruptly|Connection is closed|Stream isn't writeable)\b/i.test(message)
  );
}

export interface LastResortGuard {
  /** Errors survived so far (dropped connections). */
  readonly survived: number;
  dispose(): void;
}

/**
 * Installs the guard once per process. `stop` is the service's graceful stop; it runs before exiting on an
 * unknown error (bounded by `stopTimeoutMs`).
 */
export function installLastResortGuard(logger: Logger, stop: () => Promise<void>, stopTimeoutMs = 15_000): LastResortGuard {
  let survived = 0;
  let exiting = false;
  const onError = (kind: "unhandledRejection" | "uncaughtException") => (error: unknown) => {
    if (isConnectionNoise(error)) {
      survived += 1;
      logger.warn({ err: error instanceof Error ? error.message : String(error), kind }, "connection error outside any request survived");
      return;
    }
    logger.fatal({ err: error, kind }, "unknown error outside any request: stopping cleanly, then exiting");
    if (exiting) return;
    exiting = true;
    const timer = setTimeout(() => process.exit(1), stopTimeoutMs);
    stop()
      .catch((stopError: unknown) => logger.error({ err: stopError }, "stop after an unknown error failed"))
      .finally(() => {
        clearTimeout(timer);
        logger.flush?.();
        process.exit(1);
      });
  };
  const rejection = onError("unhandledRejection");
  const exception = onError("uncaughtException");
  process.on("unhandledRejection", rejection);
  process.on("uncaughtException", exception);
  return {
    get survived() {
      return survived;
    },
    dispose() {
      process.off("unhandledRejection", rejection);
      process.off("uncaughtException", exception);
    },
  };
}
