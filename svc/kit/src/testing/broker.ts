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
