/**
 * `queues`: depth and consumers of the platform's queues. The RabbitMQ management API is not enabled here, so
 * each known queue is checked with a passive declare (amqplib `checkQueue`): it reports the ready messages and the
 * consumers, and fails (404) for a queue that does not exist. It cannot list unknown queues or unacked counts.
 */
import { DEFAULT_RETRIES, KNOWN_SERVICES, queuesOf } from "../domain/queues";
import { openConnection } from "../messaging/connection";
import type { Output } from "./output";

export interface QueuesOptions {
  url: string;
  timeoutMs: number;
  services?: string[];
  queues?: string[];
  retries?: number;
}

export interface QueueState {
  queue: string;
  exists: boolean;
  messages: number | null;
  consumers: number | null;
}

export async function queuesCommand(options: QueuesOptions, out: Output): Promise<QueueState[]> {
  const services = options.services?.length ? options.services : [...KNOWN_SERVICES];
  const names = [...services.flatMap((s) => queuesOf(s, options.retries ?? DEFAULT_RETRIES)), ...(options.queues ?? [])];
  const connection = await openConnection(options.url, options.timeoutMs);
  const states: QueueState[] = [];
  try {
    for (const queue of names) {
      // A failed passive declare closes its channel: one channel per check.
      const ch = await connection.createChannel();
      ch.on("error", () => {});
      try {
        const ok = await ch.checkQueue(queue);
        states.push({ queue, exists: true, messages: ok.messageCount, consumers: ok.consumerCount });
        await ch.close().catch(() => {});
      } catch {
        states.push({ queue, exists: false, messages: null, consumers: null });
      }
    }
  } finally {
    await connection.close().catch(() => {});
  }
  if (out.json) {
    for (const state of states) out.result(state, "");
  } else {
    const width = Math.max(5, ...states.map((s) => s.queue.length));
    const lines = [`${"QUEUE".padEnd(width)}  MESSAGES  CONSUMERS`];
    for (const s of states)
      lines.push(
        s.exists
          ? `${s.queue.padEnd(width)}  ${String(s.messages).padStart(8)}  ${String(s.consumers).padStart(9)}`
          : `${s.queue.padEnd(width)}  ${"absent".padStart(8)}  ${"-".padStart(9)}`,
      );
    out.result(states, lines.join("\n"));
  }
  return states;
}
