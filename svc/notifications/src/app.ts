/** Wires the notifications service: Redis store, live hub, consumer, HTTP API. main.ts and the tests start it. */
import Redis from "ioredis";
import { consumerName, createHttpApp, redisCheck, serve, serveOptions, type RunningServer, type ServiceStartOptions } from "@meridian/kit";
import { verifierFromConfig } from "@meridian/kit/auth";
import { connectBrokerFromConfig, type Broker, type Consumer } from "@meridian/kit/messaging";
import type { NotificationsConfig } from "./config";
import { startNotificationConsumer } from "./messaging/consumer";
import { notificationRoutes } from "./routes/notifications";
import { LiveHub } from "./store/live-hub";
import { NotificationStore } from "./store/notification-store";

export const SERVICE = "notifications";
export const VERSION = "0.1.0";

export interface StartOptions extends ServiceStartOptions {
  keepAliveMs?: number;
}

export interface NotificationsService {
  url: string;
  server: RunningServer;
  store: NotificationStore;
  hub: LiveHub;
  broker: Broker;
  consumer: Consumer;
  redis: Redis;
  stop(): Promise<void>;
}

export async function startNotificationsService(
  config: NotificationsConfig,
  options: StartOptions,
): Promise<NotificationsService> {
  const { logger } = options;
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  await redis.connect();
  const subscriber = redis.duplicate();
  const store = new NotificationStore(redis, {
    prefix: config.NOTIFICATIONS_KEY_PREFIX,
    feedCap: config.NOTIFICATIONS_FEED_CAP,
    retentionDays: config.NOTIFICATIONS_RETENTION_DAYS,
  });
  const hub = await LiveHub.start(subscriber, store.channel, logger.child({ component: "live" }));
  const broker = await connectBrokerFromConfig(config, { service: SERVICE, logger });
  const verifier = verifierFromConfig(config);
  const consumer = await startNotificationConsumer({
    broker,
    store,
    service: consumerName(config, SERVICE),
    defaultLowStockThreshold: config.LOW_STOCK_THRESHOLD,
    logger,
    ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
  });

  const app = createHttpApp({
    service: SERVICE,
    version: VERSION,
    logger,
    checks: [redisCheck("redis", redis), broker.healthCheck, consumer.healthCheck],
    openapi: { title: "Notifications API", description: "Per-user notifications, unread state and a live stream" },
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  }).use(notificationRoutes({ store, hub, broker, verifier, logger, keepAliveMs: options.keepAliveMs }));

  const server = await serve(app, {
    ...serveOptions(config),
    logger,
    handleSignals: options.handleSignals ?? false,
    onShutdown: async () => {
      await hub.close();
      await consumer.stop();
      await broker.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  });
  if (options.handleSignals) {
    // Open SSE streams would hold the graceful drain for the whole grace period: end them as soon as asked to stop.
    for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void hub.close());
  }

  return {
    url: server.url,
    server,
    store,
    hub,
    broker,
    consumer,
    redis,
    async stop() {
      await hub.close();
      await server.stop();
    },
  };
}
