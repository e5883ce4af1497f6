/**
 * Replays parked messages: moves them from `<service>.error` back to `<service>.events` (after the cause
 * was fixed). Failure headers are dropped so the message gets its full retry budget again; the original
 * envelope, message id and trace context are kept, so the inbox still recognises it.
 */
import type { ConsumeMessage, GetMessage, Options } from "amqplib";
import { type Broker, confirmPublish } from "./broker";
import { headers, queueNames, republishedProperties } from "./consumer";

export interface ReplayOptions {
  broker: Broker;
  /** The consuming service whose error queue to replay. */
  service: string;
  /** At most this many messages (default: all that are in the queue now). */
  limit?: number;
  /** Only messages for which this returns true; the others stay parked. */
  filter?: (message: { messageId?: string; type?: string; reason?: string }) => boolean;
}

export interface ReplayResult {
  replayed: number;
  kept: number;
}

const failureHeaders = new Set<string>([
  headers.attempt,
  headers.lastError,
  headers.reason,
  headers.kind,
  headers.attempts,
  headers.originalExchange,
  headers.failedAt,
  headers.service,
  "x-death",
  "x-first-death-exchange",
  "x-first-death-queue",
  "x-first-death-reason",
  "x-last-death-exchange",
  "x-last-death-queue",
  "x-last-death-reason",
  "x-delivery-count",
]);

export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayResult> {
  const { broker, service } = options;
  const queues = queueNames(service, 0);
  const log = broker.logger.child({ component: "replay", consumer: service });
  const ch = await broker.openChannel();
  const kept: GetMessage[] = [];
  let replayed = 0;
  try {
    const { messageCount } = await ch.checkQueue(queues.error);
    const budget = Math.min(options.limit ?? messageCount, messageCount);
    // Each message is fetched once; the ones filtered out are held unacked until the end, then returned.
    for (let i = 0; i < messageCount && replayed < budget; i += 1) {
      const msg = await ch.get(queues.error, { noAck: false });
      if (!msg) break;
      const h = (msg.properties.headers ?? {}) as Record<string, unknown>;
      const info = {
        messageId: msg.properties.messageId as string | undefined,
        type: (h[headers.originalRoutingKey] as string | undefined) ?? (msg.properties.type as string | undefined),
        reason: h[headers.reason] as string | undefined,
      };
      if (options.filter && !options.filter(info)) {
        kept.push(msg);
        continue;
      }
      await confirmPublish(ch, "", queues.events, msg.content, replayProperties(msg), 15_000);
      ch.ack(msg);
      replayed += 1;
    }
  } finally {
    for (const msg of kept) ch.nack(msg, false, true);
    await ch.close().catch(() => {});
  }
  log.info({ replayed, kept: kept.length }, `replayed parked messages to ${queues.events}`);
  return { replayed, kept: kept.length };
}

function replayProperties(msg: ConsumeMessage | GetMessage): Options.Publish {
  const kept = Object.fromEntries(
    Object.entries((msg.properties.headers ?? {}) as Record<string, unknown>).filter(([name]) => !failureHeaders.has(name)),
  );
  return republishedProperties(msg, { ...kept, "x-replayed-at": new Date().toISOString() });
}
