/** Turns the events a person cares about into notifications, once per event. */
import type { Logger } from "@meridian/kit";
import { startConsumer, type Broker, type Consumer } from "@meridian/kit/messaging";
import { consumedEventTypes, deriveNotification } from "../domain/notification";
import type { NotificationStore } from "../store/notification-store";

export interface NotificationConsumerOptions {
  broker: Broker;
  store: NotificationStore;
  /** Queue names `<service>.events`, `.retry.<n>`, `.error`. */
  service: string;
  defaultLowStockThreshold: number;
  logger: Logger;
  retryDelaysMs?: number[];
}

export function startNotificationConsumer(options: NotificationConsumerOptions): Promise<Consumer> {
  const { store } = options;
  return startConsumer({
    broker: options.broker,
    service: options.service,
    types: consumedEventTypes,
    logger: options.logger,
    ...(options.retryDelaysMs ? { retry: { delaysMs: options.retryDelaysMs } } : {}),
    handle: async (envelope, { log }) => {
      const derived = deriveNotification(envelope, { defaultLowStockThreshold: options.defaultLowStockThreshold });
      if (!derived) return "applied";
      const stored = await store.add(envelope.messageId, derived.audience, derived.notification, derived.deadLetter);
      if (!stored) {
        log.debug("event already turned into a notification; skipping");
        return "duplicate";
      }
      log.info({ kind: derived.notification.kind, notificationId: derived.notification.id }, "notification created");
      return "applied";
    },
  });
}
