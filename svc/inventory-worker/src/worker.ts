/** Wires the inventory worker: inventory database, broker, consumer (inbox), outbox relay, health + metrics HTTP. */
import { consumerName, createHttpApp, createLogger, postgresCheck, retryOption, retryTransient, serve, serveOptions, type Logger, type RunningServer } from "@meridian/kit";
import { connectBrokerFromConfig, pgInbox, startConsumer, startOutboxRelay } from "@meridian/kit/messaging";
import { migrateInventoryDatabase, openInventoryDatabase } from "@meridian/inventory/store";
import type { WorkerConfig } from "./config";
import { handleOrderCancelled, handleOrderCreated, handleOrderShipped } from "./domain/stock-handlers";

export const SERVICE = "inventory-worker";
export const VERSION = "0.1.0";

export interface RunningWorker {
  server: RunningServer;
  stop(): Promise<void>;
}

export async function startWorker(
  config: WorkerConfig,
  options: { logger?: Logger; handleSignals?: boolean } = {},
): Promise<RunningWorker> {
  const logger = options.logger ?? createLogger({ service: SERVICE, version: VERSION, level: config.LOG_LEVEL });
  const database = openInventoryDatabase(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX });
  // PostgreSQL may be restarting or dropping connections as the process starts: retry, don't crash-loop.
  await retryTransient(() => migrateInventoryDatabase(database.db), { attempts: 10, logger, what: "migrations" });
  const { db } = database;

  const broker = await connectBrokerFromConfig(config, { service: SERVICE, logger });
  const relay = startOutboxRelay({ db, broker, logger, source: SERVICE });
  const queueService = consumerName(config, SERVICE);
  const consumer = await startConsumer({
    broker,
    service: queueService,
    logger,
    types: ["orders.order-created.v1", "orders.order-cancelled.v1", "orders.order-shipped.v1"],
    ...retryOption(config),
    prefetch: config.WORKER_PREFETCH,
    handle: async (envelope, { log, signal }) =>
      pgInbox.handleOnce(db, envelope, queueService, async (tx) => {
        if (envelope.type === "orders.order-created.v1") {
          const result = await handleOrderCreated(tx, envelope);
          log.info({ orderId: envelope.body.orderId, outcome: result.outcome }, "order reservation");
        } else if (envelope.type === "orders.order-cancelled.v1") {
          const result = await handleOrderCancelled(tx, envelope);
          log.info({ orderId: envelope.body.orderId, outcome: result.outcome }, "order release");
        } else if (envelope.type === "orders.order-shipped.v1") {
          const result = await handleOrderShipped(tx, envelope);
          log.info({ orderId: envelope.body.orderId, outcome: result.outcome }, "order fulfilment");
        }
      }, { signal }),
  });

  const app = createHttpApp({
    service: SERVICE,
    version: VERSION,
    logger,
    checks: [postgresCheck("postgres", database.sql), broker.healthCheck, relay.healthCheck, consumer.healthCheck],
    openapi: { title: "Inventory worker", description: "Health and metrics only." },
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  });
  const server = await serve(app, {
    ...serveOptions(config),
    logger,
    handleSignals: options.handleSignals ?? true,
    onShutdown: async () => {
      await consumer.stop();
      await relay.stop();
      await broker.close();
      await database.close();
    },
  });
  return { server, stop: () => server.stop() };
}
