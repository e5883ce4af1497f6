import { t } from "elysia";
import { baseConfig, loadConfig, messagingConfig, oidcConfig, type LoadConfigOptions } from "@meridian/kit";
import type { Static } from "elysia";

export const notificationsConfigSchema = t.Object({
  ...baseConfig({ port: 5103 }),
  REDIS_URL: t.String({ default: "redis://127.0.0.1:6379" }),
  ...messagingConfig(),
  ...oidcConfig(),
  /** Every Redis key this service writes starts with this (tests use a unique one). */
  NOTIFICATIONS_KEY_PREFIX: t.String({ default: "notif:", minLength: 1 }),
  /** Newest notifications kept per feed (a user's own, the admins', everyone's). */
  NOTIFICATIONS_FEED_CAP: t.Integer({ minimum: 1, maximum: 10_000, default: 200 }),
  /** Notifications, read marks and idempotency keys expire after this many days. */
  NOTIFICATIONS_RETENTION_DAYS: t.Number({ exclusiveMinimum: 0, maximum: 365, default: 30 }),
  /** Low-stock threshold when the inventory event does not carry the product's own `lowStockThreshold`. */
  LOW_STOCK_THRESHOLD: t.Integer({ minimum: 0, default: 5 }),
});

export type NotificationsConfig = Static<typeof notificationsConfigSchema>;

export function loadNotificationsConfig(options?: LoadConfigOptions): NotificationsConfig {
  return loadConfig(notificationsConfigSchema, options);
}
