/**
 * `serve` listens with an app (and its management app on MANAGEMENT_PORT when there is one) and stops it
 * gracefully: no new connections, in-flight requests finish within the grace period, then `onShutdown`.
 */
import { SERVER_BODY_CEILING } from "./body-limit";
import type { BaseConfig } from "./config";
import { managementAppOf } from "./http";
import { installLastResortGuard } from "./last-resort";
import type { Logger } from "./logging";

/** How main.ts and tests start a service in-process. */
export interface ServiceStartOptions {
  logger: Logger;
  /** main.ts: true (SIGTERM/SIGINT → graceful stop); tests: false. */
  handleSignals?: boolean;
  /** Consumer retry delays (tests shorten them). */
  retryDelaysMs?: number[];
}

export interface ServeOptions {
  port: number;
  host?: string;
  /** Serve the app's management routes (health, metrics) on this port instead of `port`. */
  managementPort?: number;
  /** The management app when `app` wraps the kit app (default: `managementAppOf(app)`). */
  managementApp?: Listenable;
  logger: Logger;
  shutdownGraceMs?: number;
  /** Runs as soon as a stop is asked, before in-flight requests drain (e.g. end open event streams). */
  beforeDrain?: () => Promise<unknown> | unknown;
  /** Close pools, consumers, relays: runs after in-flight requests finish. */
  onShutdown?: () => Promise<void> | void;
  /** Install SIGTERM/SIGINT handlers (off in tests that run several servers in one process). */
  handleSignals?: boolean;
}

/** The listen settings of `baseConfig()` (PORT, HOST, MANAGEMENT_PORT, SHUTDOWN_GRACE_MS) as `serve` options. */
export function serveOptions(
  config: Pick<BaseConfig, "PORT" | "HOST" | "SHUTDOWN_GRACE_MS"> & { MANAGEMENT_PORT?: number },
): Pick<ServeOptions, "port" | "host" | "shutdownGraceMs" | "managementPort"> {
  return {
    port: config.PORT,
    host: config.HOST,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    ...(config.MANAGEMENT_PORT !== undefined ? { managementPort: config.MANAGEMENT_PORT } : {}),
  };
}

export interface RunningServer {
  url: string;
  port: number;
  /** Where /health/* and /metrics are served: `url` unless a management port was given. */
  managementUrl: string;
  /** Stop accepting, let in-flight requests finish (up to the grace period), then run onShutdown. */
  stop(): Promise<void>;
}

type BunServer = { port?: number; stop(closeActiveConnections?: boolean): Promise<void> | void };

// Elysia's generic app type varies with every plugin; serve needs only listen/stop/server.
export interface Listenable {
  listen(options: { port: number; hostname: string; maxRequestBodySize: number }): unknown;
  server: BunServer | null;
}

function listen(app: Listenable, host: string, port: number): { server: BunServer; url: string } {
  // The app enforces BODY_LIMIT_BYTES itself (body-limit.ts): Bun's own limit would answer an empty 413 first.
  app.listen({ port, hostname: host, maxRequestBodySize: SERVER_BODY_CEILING });
  const server = app.server;
  if (!server?.port) throw new Error(`could not listen on ${host}:${port}`);
  return { server, url: `http://${host.includes(":") ? `[${host}]` : host}:${server.port}` };
}

/** Stops accepting and waits for in-flight requests up to `graceMs`, then closes what is left. */
async function drain(server: BunServer, graceMs: number, logger: Logger): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const drained = Promise.resolve(server.stop(false)).then(() => true);
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), graceMs);
  });
  const clean = await Promise.race([drained, timedOut]);
  clearTimeout(timer);
  if (!clean) {
    logger.warn("grace period over: closing remaining connections");
    await server.stop(true);
  }
}

/** SIGTERM/SIGINT → graceful stop, then exit; an error nothing awaited → the last-resort guard. */
function handleSignals(logger: Logger, stop: () => Promise<void>): void {
  installLastResortGuard(logger, stop);
  const onSignal = (signal: string) => {
    logger.info({ signal }, "signal received");
    stop()
      .then(() => process.exit(0))
      .catch((error) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      });
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
}

export async function serve(app: Listenable, options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const grace = options.shutdownGraceMs ?? 10_000;
  const managementApp =
    options.managementPort !== undefined ? (options.managementApp ?? (managementAppOf(app) as Listenable | undefined)) : undefined;
  const main = listen(app, host, options.port);
  const management =
    managementApp && options.managementPort !== undefined ? listen(managementApp, host, options.managementPort) : undefined;
  options.logger.info({ url: main.url, ...(management ? { management: management.url } : {}) }, "listening");

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      options.logger.info({ graceMs: grace }, "shutting down: no new connections, finishing in-flight requests");
      await options.beforeDrain?.();
      await drain(main.server, grace, options.logger);
      await options.onShutdown?.();
      // Health and metrics answer until the end, so the last scrape sees the shutdown.
      if (management) await management.server.stop(true);
      options.logger.info("stopped");
    })());

  if (options.handleSignals !== false) handleSignals(options.logger, stop);
  return { url: main.url, port: main.server.port!, managementUrl: management?.url ?? main.url, stop };
}
