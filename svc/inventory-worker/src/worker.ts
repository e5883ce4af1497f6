/**
 * Wires the inventory worker: inventory database, broker, consumer (inbox), outbox relay — started by the kit's
 * `startService`, which serves health and metrics.
 */
import { consumerName, postgresCheck, retryOption, retryTransient, startService, type Logger, type RunningService } from "@meridian/kit";
import { connectBrokerFromConfig, pgInbox, startConsumer, startOutboxRelay } from "@meridian/kit/messaging";
import { migrateInventoryDatabase, openInventoryDatabase } from "@meridian/inventory/store";
import type { WorkerConfig } from "./config";
import { handleOrderCancelled, handleOrderCreated, handleOrderShipped } from "./domain/stock-handlers";

export const SERVICE = "inventory-worker";
export const VERSION = "0.1.0";

export interface RunningWorker {
  server: RunningService;
  stop(): Promise<void>;
}

export async function startWorker(
  config: WorkerConfig,
  options: { logger?: Logger; handleSignals?: boolean } = {},
): Promise<RunningWorker> {
  const server = await startService({
    name: SERVICE,
    version: VERSION,
    config,
    ...options,
    openapi: { title: "Inventory worker", description: "Health and metrics only." },
    async start({ logger }) {
      const database = openInventoryDatabase(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX });
      // PostgreSQL may be restarting or dropping connections as the process starts: retry, don't crash-loop.
      await retryTransient(() => migrateInventoryDatabase(database), { attempts: 10, logger, what: "migrations" });
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
          pgInbox.handleOnce(
            db,
            envelope,
            queueService,
            async (tx) => {
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
            },
            { signal },
          ),
      });
      return {
        stores: [{ checks: [postgresCheck("postgres", database.sql)], close: () => database.close() }],
        broker,
        relays: [relay],
        consumers: [consumer],
      };
    },
  });
  return { server, stop: () => server.stop() };
}
