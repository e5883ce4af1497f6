/**
 * Wires the audit service: Emmett/Pongo store, consumer, HTTP API — started by the kit's `startService`.
 * main.ts runs it as a process; the tests start it in-process.
 */
import { consumerName, healthCheck, retryDelaysMs, startService, type RunningService, type ServiceStartOptions } from "@meridian/kit";
import { verifierFromConfig } from "@meridian/kit/auth";
import { connectBrokerFromConfig, type Broker, type Consumer } from "@meridian/kit/messaging";
import type { AuditConfig } from "./config";
import { startAuditConsumer } from "./messaging/consumer";
import { auditRoutes } from "./routes";
import { AuditStore } from "./store/audit-store";

export const SERVICE = "audit";
export const VERSION = "0.1.0";

export type StartOptions = Partial<ServiceStartOptions>;

export interface AuditService {
  url: string;
  server: RunningService;
  store: AuditStore;
  broker: Broker;
  consumer: Consumer;
  stop(): Promise<void>;
}

export async function startAuditService(config: AuditConfig, options: StartOptions = {}): Promise<AuditService> {
  let parts!: { store: AuditStore; broker: Broker; consumer: Consumer };
  const delays = options.retryDelaysMs ?? retryDelaysMs(config.CONSUMER_RETRY_DELAYS_MS);
  const server = await startService({
    name: SERVICE,
    version: VERSION,
    config,
    ...(options.logger ? { logger: options.logger } : {}),
    handleSignals: options.handleSignals ?? false,
    openapi: { title: "Audit API", description: "Every domain event, per aggregate stream, with queryable audit documents" },
    async start({ logger }) {
      const store = await AuditStore.open(config.DATABASE_URL, {
        onConnectionError: (err) => logger.warn({ err }, "PostgreSQL dropped an idle connection; the pool replaces it"),
      });
      const broker = await connectBrokerFromConfig(config, { service: SERVICE, logger });
      const consumer = await startAuditConsumer({
        broker,
        store,
        service: consumerName(config, SERVICE),
        logger,
        ...(delays ? { retryDelaysMs: delays } : {}),
      });
      parts = { store, broker, consumer };
      return {
        stores: [{ checks: [healthCheck("postgres", () => store.ping())], close: () => store.close() }],
        broker,
        consumers: [consumer],
        routes: [auditRoutes({ store, verifier: verifierFromConfig(config) })],
      };
    },
  });
  return { url: server.url, server, ...parts, stop: () => server.stop() };
}
