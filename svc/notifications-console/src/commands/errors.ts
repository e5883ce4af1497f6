/**
 * `errors peek` / `errors republish`: the messages a service parked in `<service>.error` (kit messaging) — why they
 * failed, and sending them back once the cause is fixed.
 * Peek takes messages without acknowledging them and closes the channel, so RabbitMQ puts them all back.
 * Republish hands the chosen messages to the kit's replayDeadLetters: back to the service's own `<service>.events`
 * (only that service gets them again; the others handled them already), failure headers dropped, the original
 * acknowledged only after the broker confirmed the copy.
 */
import type { Message } from "amqplib";
import { messageHeaders, replayDeadLetters } from "@meridian/kit/messaging";
import { errorQueueOf } from "../domain/queues";
import { connectKitBroker } from "../messaging/broker";
import { openConnection } from "../messaging/connection";
import type { Output } from "./output";

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}

export interface ParkedMessage {
  messageId: string | null;
  type: string | null;
  reason: string | null;
  failureKind: string | null;
  attempts: number | null;
  failedAt: string | null;
  service: string | null;
  envelope: unknown;
}

interface ConnectOptions {
  url: string;
  timeoutMs: number;
}

function header(msg: Message, name: string): string | null {
  const value = msg.properties.headers?.[name];
  if (value === undefined || value === null) return null;
  return Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
}

function describe(msg: Message): ParkedMessage {
  let envelope: unknown;
  try {
    envelope = JSON.parse(msg.content.toString("utf8"));
  } catch {
    envelope = msg.content.toString("utf8");
  }
  const attempts = header(msg, messageHeaders.attempts);
  const envelopeType = typeof envelope === "object" && envelope !== null ? (envelope as { type?: unknown }).type : undefined;
  return {
    messageId: msg.properties.messageId ? String(msg.properties.messageId) : null,
    type: header(msg, messageHeaders.originalRoutingKey) ?? (typeof envelopeType === "string" ? envelopeType : null),
    reason: header(msg, messageHeaders.reason),
    failureKind: header(msg, messageHeaders.kind),
    attempts: attempts === null ? null : Number(attempts),
    failedAt: header(msg, messageHeaders.failedAt),
    service: header(msg, messageHeaders.service),
    envelope,
  };
}

function text(m: ParkedMessage): string {
  return [
    `${m.messageId ?? "(no id)"}  ${m.type ?? "?"}  failed ${m.failedAt ?? "?"} after ${m.attempts ?? "?"} attempt(s) [${m.failureKind ?? "?"}]`,
    `  reason: ${m.reason ?? "-"}`,
    `  ${JSON.stringify(m.envelope)}`,
  ].join("\n");
}

export async function peekCommand(
  serviceOrQueue: string,
  options: ConnectOptions & { limit: number },
  out: Output,
): Promise<ParkedMessage[]> {
  const { errorQueue } = errorQueueOf(serviceOrQueue);
  const connection = await openConnection(options.url, options.timeoutMs);
  try {
    const ch = await connection.createChannel();
    ch.on("error", () => {});
    try {
      await ch.checkQueue(errorQueue);
    } catch {
      throw new NotFoundError(`queue ${errorQueue} does not exist`);
    }
    const ch2 = await connection.createChannel();
    const seen: ParkedMessage[] = [];
    for (let i = 0; i < options.limit; i++) {
      const msg = await ch2.get(errorQueue, { noAck: false });
      if (!msg) break;
      seen.push(describe(msg));
    }
    // Closing without acknowledging returns every peeked message to the queue.
    await ch2.close();
    if (out.json) for (const m of seen) out.result(m, "");
    else out.result(seen, seen.length ? seen.map(text).join("\n") : `${errorQueue} is empty`);
    return seen;
  } finally {
    await connection.close().catch(() => {});
  }
}

export interface RepublishOptions extends ConnectOptions {
  exchange: string;
  messageIds: string[];
  all: boolean;
  limit: number;
  verbose?: boolean;
}

/** Moves chosen parked messages back to `<service>.events` with the kit's replayDeadLetters. */
export async function republishCommand(serviceOrQueue: string, options: RepublishOptions, out: Output): Promise<number> {
  const { errorQueue, eventsQueue, service } = errorQueueOf(serviceOrQueue);
  const wanted = new Set(options.messageIds);
  const broker = await connectKitBroker({
    url: options.url,
    exchange: options.exchange,
    timeoutMs: options.timeoutMs,
    service: "notifications-console",
    ...(options.verbose ? { verbose: true } : {}),
  });
  try {
    const check = await broker.openChannel();
    try {
      await check.checkQueue(errorQueue);
      await check.checkQueue(eventsQueue);
    } catch {
      throw new NotFoundError(`queue ${errorQueue} or ${eventsQueue} does not exist`);
    } finally {
      await check.close().catch(() => {});
    }
    const chosen: Array<{ messageId?: string; type?: string }> = [];
    const { replayed, kept } = await replayDeadLetters({
      broker,
      service,
      limit: options.all ? options.limit : Math.min(options.limit, wanted.size),
      filter: (message) => {
        const take = options.all || (message.messageId !== undefined && wanted.has(message.messageId));
        if (take) chosen.push(message);
        return take;
      },
    });
    for (const m of chosen.slice(0, replayed))
      out.result({ ...m, republishedTo: eventsQueue }, `re-published ${m.messageId ?? "(no id)"} ${m.type ?? "?"} → ${eventsQueue}`);
    const found = new Set(chosen.map((m) => m.messageId));
    const missing = [...wanted].filter((id) => !found.has(id));
    if (missing.length) throw new NotFoundError(`not found in ${errorQueue}: ${missing.join(", ")}`);
    if (replayed === 0) out.note(`${errorQueue} had nothing to re-publish`);
    else if (kept > 0) out.note(`${kept} other message(s) stay in ${errorQueue}`);
    return replayed;
  } finally {
    await broker.close();
  }
}
