/**
 * The consumer's queues for service `s` on exchange `x`, declared idempotently on every (re)subscribe:
 *   s.events   quorum; bound to x by each handled type; messages over the delivery limit (e.g. a handler crashing
 *              the process) are dead-lettered by RabbitMQ to s.error
 *   s.retry.n  quorum; holds a failed message for delaysMs[n-1] (per-message TTL), then dead-letters it back to s.events
 *   s.error    quorum; parked messages
 */
import type { ConfirmChannel } from "amqplib";

export interface ConsumerQueues {
  events: string;
  retry: string[];
  error: string;
}

export const queueNames = (service: string, retries: number): ConsumerQueues => ({
  events: `${service}.events`,
  retry: Array.from({ length: retries }, (_, i) => `${service}.retry.${i + 1}`),
  error: `${service}.error`,
});

const quorum = { "x-queue-type": "quorum" };

export interface TopologyOptions {
  exchange: string;
  queues: ConsumerQueues;
  types: Iterable<string>;
  deliveryLimit: number;
}

/** Declares the exchange, the consumer's queues and its bindings on `ch` (fails with the broker's reason). */
export async function declareConsumerTopology(ch: ConfirmChannel, options: TopologyOptions): Promise<void> {
  const { exchange, queues } = options;
  await ch.assertExchange(exchange, "topic", { durable: true });
  await ch.assertQueue(queues.error, { durable: true, arguments: { ...quorum } });
  await ch.assertQueue(queues.events, {
    durable: true,
    arguments: {
      ...quorum,
      "x-delivery-limit": options.deliveryLimit,
      "x-dead-letter-exchange": "",
      "x-dead-letter-routing-key": queues.error,
    },
  });
  for (const retryQueue of queues.retry) {
    // Per-message TTL (set when retrying) rather than x-message-ttl: changing the delays
    // must not make the redeclaration fail with PRECONDITION_FAILED.
    await ch.assertQueue(retryQueue, {
      durable: true,
      arguments: {
        ...quorum,
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": queues.events,
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
      },
    });
  }
  for (const type of options.types) await ch.bindQueue(queues.events, exchange, type);
}
