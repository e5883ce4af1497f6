/** Orders' consumer: inventory's answers (reserved/rejected) and catalogue updates, each applied once (inbox). */
import type { Logger } from "@meridian/kit";
import { startConsumer, type Broker, type Consumer } from "@meridian/kit/messaging";
import type { OrderService } from "../domain/order-service";
import type { OrdersStore } from "../store/types";

export const CONSUMED_TYPES = [
  "inventory.stock-reserved.v1",
  "inventory.stock-rejected.v1",
  "inventory.product-upserted.v1",
  "system.message-dead-lettered.v1",
] as const;

export function startInventoryEventsConsumer(options: {
  broker: Broker;
  /** Names the queues `<queueService>.events`, `.retry.n`, `.error`; also the inbox consumer name. */
  queueService: string;
  store: OrdersStore;
  service: OrderService;
  logger: Logger;
  prefetch?: number;
  /** Redelivery delays (CONSUMER_RETRY_DELAYS_MS); the messaging module's default when absent. */
  retry?: { delaysMs: number[] };
  /** The queue service of the inventory worker: its parked `orders.order-created.v1` rejects the order. */
  reservationConsumer: string;
}): Promise<Consumer> {
  const { store, service } = options;
  return startConsumer({
    broker: options.broker,
    service: options.queueService,
    logger: options.logger,
    types: CONSUMED_TYPES,
    prefetch: options.prefetch ?? 16,
    ...(options.retry ? { retry: options.retry } : {}),
    handle: async (envelope, { log }) => {
      const applied = await store.handleOnce(envelope, options.queueService, async (tx) => {
        switch (envelope.type) {
          case "inventory.stock-reserved.v1": {
            const result = await service.onStockReserved(tx, envelope);
            log.info({ orderId: envelope.body.orderId, result }, "stock reserved");
            break;
          }
          case "inventory.stock-rejected.v1": {
            const result = await service.onStockRejected(tx, envelope);
            log.info({ orderId: envelope.body.orderId, result }, "stock rejected");
            break;
          }
          case "inventory.product-upserted.v1":
            await service.onProductUpserted(tx, envelope);
            break;
          case "system.message-dead-lettered.v1": {
            const { service: parkedBy, type, aggregateId } = envelope.body;
            if (parkedBy !== options.reservationConsumer || type !== "orders.order-created.v1" || !aggregateId) break;
            const result = await service.onReservationDeadLettered(tx, aggregateId, envelope);
            log.warn({ orderId: aggregateId, result, reason: envelope.body.reason }, "reservation dead-lettered");
            break;
          }
        }
      });
      return applied ? "applied" : "duplicate";
    },
  });
}
