/**
 * Wires the orders service: store (migrated at start), broker, outbox relay, consumer, routes.
 * `main.ts` runs it as a process; tests start it in-process on a free port.
 */
import { consumerName, createHttpApp, createLogger, retryOption, retryTransient, serve, serveOptions, type Logger, type RunningServer } from "@meridian/kit";
import { verifierFromConfig } from "@meridian/kit/auth";
import { connectBrokerFromConfig } from "@meridian/kit/messaging";
import type { OrdersConfig } from "./config";
import { createOrderMetrics } from "./domain/metrics";
import { OrderService } from "./domain/order-service";
import { startInventoryEventsConsumer } from "./messaging/inventory-events";
import { orderRoutes } from "./routes";
import { createOrdersStore, type OrdersStore } from "./store";

export const SERVICE = "orders";
export const VERSION = "0.1.0";

export interface RunningOrders {
  server: RunningServer;
  store: OrdersStore;
  stop(): Promise<void>;
}

export async function startOrders(
  config: OrdersConfig,
  options: { logger?: Logger; handleSignals?: boolean } = {},
): Promise<RunningOrders> {
  const logger = options.logger ?? createLogger({ service: SERVICE, version: VERSION, level: config.LOG_LEVEL });
  const store = createOrdersStore({
    store: config.ORDERS_STORE,
    databaseUrl: config.DATABASE_URL,
    ...(config.MSSQL_URL ? { mssqlUrl: config.MSSQL_URL } : {}),
    poolMax: config.DATABASE_POOL_MAX,
  });
  // PostgreSQL may be restarting or dropping connections as the process starts: retry, don't crash-loop.
  await retryTransient(() => store.migrate(), { attempts: 10, logger, what: "migrations" });

  const broker = await connectBrokerFromConfig(config, { service: SERVICE, logger });
  const relay = store.startOutboxRelay({ broker, logger, source: SERVICE });
  const verifier = verifierFromConfig(config);
  // Readiness sees every dependency, the outbox relay and the consumer included (added once it exists).
  const checks = [...store.healthChecks, broker.healthCheck, relay.healthCheck];

  const app = createHttpApp({
    service: SERVICE,
    version: VERSION,
    logger,
    checks,
    openapi: { title: "Orders API", description: "Places, tracks, cancels and ships orders." },
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  });
  // After createHttpApp: it initialises the telemetry SDK the meters report to.
  const service = new OrderService(store, createOrderMetrics());
  const consumer = await startInventoryEventsConsumer({
    broker,
    queueService: consumerName(config, SERVICE),
    reservationConsumer: consumerName(config, "inventory-worker"),
    store,
    service,
    logger,
    ...retryOption(config),
  });
  checks.push(consumer.healthCheck);

  const server = await serve(app.use(orderRoutes({ service, verifier })), {
    ...serveOptions(config),
    logger,
    handleSignals: options.handleSignals ?? true,
    onShutdown: async () => {
      await consumer.stop();
      await relay.stop();
      await broker.close();
      await store.close();
    },
  });
  return { server, store, stop: () => server.stop() };
}
