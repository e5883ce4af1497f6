import { t } from "elysia";
import { baseConfig, loadConfig, type LoadConfigOptions } from "@meridian/kit";
import type { Static } from "elysia";

export const notificationsConfigSchema = t.Object({
  ...baseConfig({ port: 5103 }),
  REDIS_URL: t.String({ default: "redis://127.0.0.1:6379" }),
  RABBITMQ_URL: t.String({ default: "amqp://guest:guest@127.0.0.1:5672" }),
  OIDC_ISSUER: t.String({ default: "http://localhost:8081/realms/meridian" }),
  OIDC_JWKS_URL: t.Optional(t.String({ pattern: "^https?://" })),
  OIDC_AUDIENCE: t.Optional(t.String({ minLength: 1 })),
  /** Every Redis key this service writes starts with this (tests use a unique one). */
  NOTIFICATIONS_KEY_PREFIX: t.String({ default: "notif:", minLength: 1 }),
  /** Newest notifications kept per feed (a user's own, the admins', everyone's). */
  NOTIFICATIONS_FEED_CAP: t.Integer({ minimum: 1, maximum: 10_000, default: 200 }),
  /** Notifications, read marks and idempotency keys expire after this many days. */
  NOTIFICATIONS_RETENTION_DAYS: t.Number({ exclusiveMinimum: 0, maximum: 365, default: 30 }),
  /** Low-stock threshold when the inventory event does not carry the product's own `lowStockThreshold`. */
  LOW_STOCK_THRESHOLD: t.Integer({ minimum: 0, default: 5 }),
  /** Topic exchange (tests pass a unique one). */
  EVENTS_EXCHANGE: t.String({ default: "meridian.events", minLength: 1 }),
  /** Delays before each redelivery of a failed message, e.g. "1000,5000,30000" (the kit's default when unset). */
  CONSUMER_RETRY_DELAYS_MS: t.Optional(t.String({ pattern: "^[0-9]{1,7}(,[0-9]{1,7}){0,9}$" })),
  /** Consumer name: queue `<name>.events` (tests pass a unique one). */
  CONSUMER_NAME: t.String({ default: "notifications", minLength: 1 }),
});

export type NotificationsConfig = Static<typeof notificationsConfigSchema>;

export function loadNotificationsConfig(options?: LoadConfigOptions): NotificationsConfig {
  return loadConfig(notificationsConfigSchema, options);
}

/** `CONSUMER_RETRY_DELAYS_MS` as numbers; undefined keeps the kit's default. */
export function retryDelays(value: string | undefined): number[] | undefined {
  return value ? value.split(",").map(Number) : undefined;
}
