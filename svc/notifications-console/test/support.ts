/** Test support: removal of the broker topology a suite declared. */
import amqp from "amqplib";
import { queueNames } from "@meridian/kit/messaging";
import { TEST_RABBITMQ_URL, uniqueName } from "@meridian/kit/testing";

export async function removeTopology(services: string[], exchange: string, retries = 3): Promise<void> {
  const connection = await amqp.connect(TEST_RABBITMQ_URL, { clientProperties: { connection_name: uniqueName("console-test-cleanup") } });
  connection.on("error", () => {});
  try {
    for (const service of services) {
      const q = queueNames(service, retries);
      for (const queue of [q.events, ...q.retry, q.error]) {
        const ch = await connection.createChannel();
        ch.on("error", () => {});
        await ch.deleteQueue(queue).catch(() => {});
        await ch.close().catch(() => {});
      }
    }
    const ch = await connection.createChannel();
    ch.on("error", () => {});
    await ch.deleteExchange(exchange).catch(() => {});
    await ch.close().catch(() => {});
  } finally {
    await connection.close().catch(() => {});
  }
}

/** Value of a counter in a service's /metrics (0 when absent). */
export async function metric(baseUrl: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.split(" ").pop());
  }
  return sum;
}
