/** Wires the audit service: Emmett/Pongo store, consumer, HTTP API. main.ts and the tests start it. */
import { consumerName, createHttpApp, healthCheck, serve, serveOptions, type RunningServer, type ServiceStartOptions } from "@meridian/kit";
import { verifierFromConfig } from "@meridian/kit/auth";
import { connectBrokerFromConfig, type Broker, type Consumer } from "@meridian/kit/messaging";
import type { AuditConfig } from "./config";
import { startAuditConsumer } from "./messaging/consumer";
import { auditRoutes } from "./routes/audit";
import { AuditStore } from "./store/audit-store";

export const SERVICE = "audit";
export const VERSION = "0.1.0";

export type StartOptions = ServiceStartOptions;

export interface AuditService {
  url: string;
  server: RunningServer;
  store: AuditStore;
  broker: Broker;
  consumer: Consumer;
  stop(): Promise<void>;
}

export async function startAuditService(config: AuditConfig, options: StartOptions): Promise<AuditService> {
  const { logger } = options;
  const store = await AuditStore.open(config.DATABASE_URL, {
    onConnectionError: (err) => logger.warn({ err }, "PostgreSQL dropped an idle connection; the pool replaces it"),
  });
  const broker = await connectBrokerFromConfig(config, { service: SERVICE, logger });
  const verifier = verifierFromConfig(config);
  const consumer = await startAuditConsumer({
    broker,
    store,
    service: consumerName(config, SERVICE),
    logger,
    ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
  });

  const app = createHttpApp({
    service: SERVICE,
    version: VERSION,
    logger,
    checks: [healthCheck("postgres", () => store.ping()), broker.healthCheck, consumer.healthCheck],
    openapi: { title: "Audit API", description: "Every domain event, per aggregate stream, with queryable audit documents" },
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  }).use(auditRoutes({ store, verifier }));

  const server = await serve(app, {
    ...serveOptions(config),
    logger,
    handleSignals: options.handleSignals ?? false,
    onShutdown: async () => {
      await consumer.stop();
      await broker.close();
      await store.close();
    },
  });

  return { url: server.url, server, store, broker, consumer, stop: () => server.stop() };
}
