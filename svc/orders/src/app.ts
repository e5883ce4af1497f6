/**
 * Wires the orders service: store (migrated at start), broker, outbox relay, consumer, routes — started by the
 * kit's `startService`. `main.ts` runs it as a process; tests start it in-process on a free port.
 */
import { consumerName, retryOption, retryTransient, startService, type Logger, type RunningService } from "@meridian/kit";
import { cachingVerifier, verifierFromConfig } from "@meridian/kit/auth";
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
  server: RunningService;
  store: OrdersStore;
  stop(): Promise<void>;
}

export async function startOrders(
  config: OrdersConfig,
  options: { logger?: Logger; handleSignals?: boolean } = {},
): Promise<RunningOrders> {
  let store!: OrdersStore;
  const server = await startService({
    name: SERVICE,
    version: VERSION,
    config,
    ...options,
    openapi: { title: "Orders API", description: "Places, tracks, cancels and ships orders." },
    async start({ logger }) {
      store = createOrdersStore({
        store: config.ORDERS_STORE,
        databaseUrl: config.DATABASE_URL,
        ...(config.MSSQL_URL ? { mssqlUrl: config.MSSQL_URL } : {}),
        poolMax: config.DATABASE_POOL_MAX,
      });
      // PostgreSQL may be restarting or dropping connections as the process starts: retry, don't crash-loop.
      await retryTransient(() => store.migrate(), { attempts: 10, logger, what: "migrations" });
      const broker = await connectBrokerFromConfig(config, { service: SERVICE, logger });
      const relay = store.startOutboxRelay({ broker, logger, source: SERVICE });
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
      return {
        stores: [{ checks: store.healthChecks, close: () => store.close() }],
        broker,
        relays: [relay],
        consumers: [consumer],
        // Verified tokens kept for at most 30 s (never past exp), as the gateway does: an RS256 verification per
        // order was the largest piece of the request path in the profile.
        routes: [orderRoutes({ service, verifier: cachingVerifier(verifierFromConfig(config)) })],
      };
    },
  });
  return { server, store, stop: () => server.stop() };
}
