/**
 * Wires the notifications service: Redis store, live hub, consumer, HTTP API — started by the kit's
 * `startService`. main.ts runs it as a process; the tests start it in-process.
 */
import Redis from "ioredis";
import { consumerName, redisCheck, retryDelaysMs, startService, type RunningService, type ServiceStartOptions } from "@meridian/kit";
import { verifierFromConfig } from "@meridian/kit/auth";
import { connectBrokerFromConfig, type Broker, type Consumer } from "@meridian/kit/messaging";
import type { NotificationsConfig } from "./config";
import { startNotificationConsumer } from "./messaging/consumer";
import { notificationRoutes } from "./routes";
import { LiveHub } from "./store/live-hub";
import { NotificationStore } from "./store/notification-store";

export const SERVICE = "notifications";
export const VERSION = "0.1.0";

export interface StartOptions extends Partial<ServiceStartOptions> {
  keepAliveMs?: number;
}

export interface NotificationsService {
  url: string;
  server: RunningService;
  store: NotificationStore;
  hub: LiveHub;
  broker: Broker;
  consumer: Consumer;
  redis: Redis;
  stop(): Promise<void>;
}

type Parts = Omit<NotificationsService, "url" | "server" | "stop">;

export async function startNotificationsService(config: NotificationsConfig, options: StartOptions = {}): Promise<NotificationsService> {
  let parts!: Parts;
  const delays = options.retryDelaysMs ?? retryDelaysMs(config.CONSUMER_RETRY_DELAYS_MS);
  const server = await startService({
    name: SERVICE,
    version: VERSION,
    config,
    ...(options.logger ? { logger: options.logger } : {}),
    handleSignals: options.handleSignals ?? false,
    openapi: { title: "Notifications API", description: "Per-user notifications, unread state and a live stream" },
    async start({ logger }) {
      const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
      await redis.connect();
      const store = new NotificationStore(redis, {
        prefix: config.NOTIFICATIONS_KEY_PREFIX,
        feedCap: config.NOTIFICATIONS_FEED_CAP,
        retentionDays: config.NOTIFICATIONS_RETENTION_DAYS,
      });
      const hub = await LiveHub.start(redis.duplicate(), store.channel, logger.child({ component: "live" }));
      const broker = await connectBrokerFromConfig(config, { service: SERVICE, logger });
      const consumer = await startNotificationConsumer({
        broker,
        store,
        service: consumerName(config, SERVICE),
        defaultLowStockThreshold: config.LOW_STOCK_THRESHOLD,
        logger,
        ...(delays ? { retryDelaysMs: delays } : {}),
      });
      parts = { store, hub, broker, consumer, redis };
      const verifier = verifierFromConfig(config);
      return {
        stores: [{ checks: [redisCheck("redis", redis)], close: () => redis.quit().catch(() => redis.disconnect()) }],
        broker,
        consumers: [consumer],
        routes: [notificationRoutes({ store, hub, broker, verifier, logger, keepAliveMs: options.keepAliveMs })],
        // Open SSE streams would hold the graceful drain for the whole grace period: end them as soon as asked to stop.
        onStopping: () => hub.close(),
      };
    },
  });
  return { url: server.url, server, ...parts, stop: () => server.stop() };
}
