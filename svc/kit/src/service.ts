/**
 * The one way a Meridian service process starts: `startService` sets up logging and telemetry, lets the service
 * build its parts (stores, broker, outbox relays, consumers, routes), serves them with readiness over every part,
 * handles SIGTERM/SIGINT, and stops in order: `onStopping` → no new requests, in-flight ones finish → `onStop` → consumers
 * (no new messages) → relays (last outbox rows sent) → broker → stores.
 */
import type { BaseConfig } from "./config";
import type { HealthCheck } from "./health";
import { createHttpApp } from "./http";
import { createLogger, type Logger } from "./logging";
import { serve, serveOptions, type RunningServer } from "./serve";
import { initTelemetry } from "./telemetry";

/** A database or cache the service opened: its readiness checks and how to close it. */
export interface ServiceStore {
  checks: HealthCheck[];
  close(): Promise<unknown> | unknown;
}

/** Anything with a readiness check that stops (a consumer, an outbox relay). */
export interface ServiceWorker {
  readonly healthCheck: HealthCheck;
  stop(): Promise<unknown> | unknown;
}

/** The broker connection (kit/messaging's Broker). */
export interface ServiceBroker {
  readonly healthCheck: HealthCheck;
  close(): Promise<unknown> | unknown;
}

// An Elysia plugin; its generic type varies with every route, and the kit only mounts it.
// biome-ignore lint/suspicious/noExplicitAny: Elysia's use() takes any plugin instance
type RoutePlugin = any;

export interface ServiceParts {
  stores?: ServiceStore[];
  broker?: ServiceBroker;
  relays?: ServiceWorker[];
  consumers?: ServiceWorker[];
  /** Elysia plugins mounted in order (a public plugin before one that guards what follows it). */
  routes?: RoutePlugin[];
  /** More readiness checks (e.g. a dependency the service calls over HTTP). */
  checks?: HealthCheck[];
  /** Runs as soon as a stop is asked, before in-flight requests drain (e.g. end open event streams). */
  onStopping?: () => Promise<unknown> | unknown;
  /** Runs first after in-flight requests finished, before consumers stop. */
  onStop?: () => Promise<unknown> | unknown;
}

export type ServiceConfig = Pick<BaseConfig, "PORT" | "HOST" | "LOG_LEVEL" | "SHUTDOWN_GRACE_MS" | "BODY_LIMIT_BYTES"> & {
  MANAGEMENT_PORT?: number;
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;
  OTEL_SERVICE_NAME?: string;
};

export interface ServiceDefinition<C extends ServiceConfig> {
  name: string;
  version: string;
  config: C;
  logger?: Logger;
  /** main.ts: true (SIGTERM/SIGINT stop the process gracefully; last-resort guard); tests: false (default). */
  handleSignals?: boolean;
  openapi?: { title?: string; description?: string };
  /** Builds the parts once logging and telemetry are up (metrics created here report to the service's SDK). */
  start(context: { config: C; logger: Logger }): Promise<ServiceParts> | ServiceParts;
}

export interface RunningService extends RunningServer {
  logger: Logger;
}

/** Readiness over every part: stores, broker, relays and consumers. */
export function readinessChecks(parts: ServiceParts): HealthCheck[] {
  return [
    ...(parts.stores ?? []).flatMap((s) => s.checks),
    ...(parts.broker ? [parts.broker.healthCheck] : []),
    ...(parts.relays ?? []).map((r) => r.healthCheck),
    ...(parts.consumers ?? []).map((c) => c.healthCheck),
    ...(parts.checks ?? []),
  ];
}

/** The shutdown order after in-flight requests: onStop, consumers, relays, broker, stores. */
export async function stopParts(parts: ServiceParts): Promise<void> {
  await parts.onStop?.();
  for (const consumer of parts.consumers ?? []) await consumer.stop();
  for (const relay of parts.relays ?? []) await relay.stop();
  await parts.broker?.close();
  for (const store of parts.stores ?? []) await store.close();
}

export async function startService<C extends ServiceConfig>(definition: ServiceDefinition<C>): Promise<RunningService> {
  const { name, version, config } = definition;
  const logger = definition.logger ?? createLogger({ service: name, version, level: config.LOG_LEVEL });
  const telemetry = initTelemetry({
    serviceName: config.OTEL_SERVICE_NAME ?? name,
    version,
    ...(config.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
  });
  const parts = await definition.start({ config, logger });
  const app = createHttpApp({
    service: name,
    version,
    logger,
    telemetry,
    checks: readinessChecks(parts),
    openapi: definition.openapi ?? {},
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    separateManagement: config.MANAGEMENT_PORT !== undefined,
  });
  for (const routes of parts.routes ?? []) app.use(routes);
  const server = await serve(app, {
    ...serveOptions(config),
    logger,
    handleSignals: definition.handleSignals ?? false,
    ...(parts.onStopping ? { beforeDrain: parts.onStopping } : {}),
    onShutdown: () => stopParts(parts),
  });
  return { ...server, logger };
}
