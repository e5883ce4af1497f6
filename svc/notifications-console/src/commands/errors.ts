/**
 * `errors peek` / `errors republish`: the messages a service parked in `<service>.error` (kit messaging) — why they
 * failed, and sending them back once the cause is fixed.
 * Peek takes messages without acknowledging them and closes the channel, so RabbitMQ puts them all back.
 * Republish sends each chosen message to the service's own `<service>.events` queue (only that service gets it
 * again; the others handled it already) or, with --to-exchange, to the exchange under its original routing key;
 * the original is acknowledged only after the broker confirmed the copy.
 */
import type { Message, Options } from "amqplib";
import { messageHeaders } from "@meridian/kit/messaging";
import { errorQueueOf } from "../domain/queues";
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

const FAILURE_HEADERS = [
  messageHeaders.attempt,
  messageHeaders.lastError,
  messageHeaders.reason,
  messageHeaders.kind,
  messageHeaders.attempts,
  messageHeaders.failedAt,
  messageHeaders.service,
  messageHeaders.originalExchange,
  "x-death",
];

export interface RepublishOptions extends ConnectOptions {
  exchange: string;
  messageIds: string[];
  all: boolean;
  limit: number;
  toExchange: boolean;
}

export async function republishCommand(serviceOrQueue: string, options: RepublishOptions, out: Output): Promise<number> {
  const { errorQueue, eventsQueue } = errorQueueOf(serviceOrQueue);
  const wanted = new Set(options.messageIds);
  const connection = await openConnection(options.url, options.timeoutMs);
  try {
    const check = await connection.createChannel();
    check.on("error", () => {});
    try {
      await check.checkQueue(errorQueue);
      if (!options.toExchange) await check.checkQueue(eventsQueue);
    } catch {
      throw new NotFoundError(`queue ${errorQueue}${options.toExchange ? "" : ` or ${eventsQueue}`} does not exist`);
    }
    const ch = await connection.createConfirmChannel();
    const republished: ParkedMessage[] = [];
    const found = new Set<string>();
    for (let i = 0; i < options.limit; i++) {
      const msg = await ch.get(errorQueue, { noAck: false });
      if (!msg) break;
      const parked = describe(msg);
      const chosen = options.all || (parked.messageId !== null && wanted.has(parked.messageId));
      // Messages not chosen stay unacknowledged until the channel closes, then RabbitMQ returns them.
      if (!chosen) continue;
      const headers: Record<string, unknown> = { ...(msg.properties.headers ?? {}) };
      for (const name of FAILURE_HEADERS) delete headers[name];
      headers["x-republished-from"] = errorQueue;
      headers["x-republished-at"] = new Date().toISOString();
      const properties: Options.Publish = {
        persistent: true,
        contentType: msg.properties.contentType ?? "application/json",
        messageId: msg.properties.messageId,
        correlationId: msg.properties.correlationId,
        type: msg.properties.type,
        appId: msg.properties.appId,
        timestamp: msg.properties.timestamp,
        headers,
      };
      const routingKey = parked.type ?? "";
      if (options.toExchange) ch.publish(options.exchange, routingKey, msg.content, properties);
      else ch.publish("", eventsQueue, msg.content, properties);
      await ch.waitForConfirms();
      ch.ack(msg);
      republished.push(parked);
      if (parked.messageId) found.add(parked.messageId);
      if (!options.all && found.size === wanted.size) break;
    }
    await ch.close();
    const target = options.toExchange ? `${options.exchange} (original routing keys)` : eventsQueue;
    for (const m of republished)
      out.result({ ...m, republishedTo: target }, `re-published ${m.messageId ?? "(no id)"} ${m.type ?? "?"} → ${target}`);
    const missing = [...wanted].filter((id) => !found.has(id));
    if (missing.length) throw new NotFoundError(`not found in ${errorQueue}: ${missing.join(", ")}`);
    if (republished.length === 0) out.note(`${errorQueue} had nothing to re-publish`);
    return republished.length;
  } finally {
    await connection.close().catch(() => {});
  }
}
