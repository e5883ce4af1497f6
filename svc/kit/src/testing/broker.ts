/** Removes the RabbitMQ topology a test declared, on a connection of its own (named, so it is never mistaken for a service's). */
import amqp from "amqplib";
import { queueNames } from "../messaging/consumer";
import { TEST_RABBITMQ_URL, uniqueName } from "./core";

/**
 * Deletes the consumer queues of each queue owner in `services` (`<service>.events|.retry.1..n|.error`, as
 * `consumerName(config, service)` names them) and then `exchange`, if given. What is already gone is skipped.
 */
export async function removeTopology(services: string[], exchange?: string, retries = 3): Promise<void> {
  const connection = await amqp.connect(TEST_RABBITMQ_URL, { clientProperties: { connection_name: uniqueName("test-cleanup") } });
  connection.on("error", () => {});
  // A failed delete closes its channel: one channel per delete keeps the others going.
  const attempt = async (remove: (channel: amqp.Channel) => Promise<unknown>): Promise<void> => {
    const channel = await connection.createChannel();
    channel.on("error", () => {});
    await remove(channel).catch(() => {});
    await channel.close().catch(() => {});
  };
  try {
    for (const service of services) {
      const q = queueNames(service, retries);
      for (const queue of [q.events, ...q.retry, q.error]) await attempt((channel) => channel.deleteQueue(queue));
    }
    if (exchange) await attempt((channel) => channel.deleteExchange(exchange));
  } finally {
    await connection.close().catch(() => {});
  }
}

export interface QueueProbe {
  /** Ready messages per queue (a passive declare each); a queue that does not exist closes the probe's channel. */
  readyDepths(queues: readonly string[]): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/**
 * Reads queue depths over AMQP on a named connection of its own: milliseconds per look, where `rabbitmqctl list_queues`
 * starts an Erlang VM (seconds on a loaded machine). AMQP counts ready messages only, not delivered-but-unacked ones:
 * a caller that must see those confirms with `rabbitmqctl list_queues name messages`.
 */
export async function openQueueProbe(url: string): Promise<QueueProbe> {
  const connection = await amqp.connect(url, { clientProperties: { connection_name: uniqueName("test-queue-probe") } });
  connection.on("error", () => {});
  const channel = await connection.createChannel();
  channel.on("error", () => {});
  return {
    async readyDepths(queues) {
      const depths = new Map<string, number>();
      for (const queue of queues) depths.set(queue, (await channel.checkQueue(queue)).messageCount);
      return depths;
    },
    async close() {
      await connection.close().catch(() => {});
    },
  };
}
