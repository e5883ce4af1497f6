/**
 * What happens to a delivery that was not handled: a copy (confirmed) goes to the next retry queue, or — after the
 * last retry, or at once for an invalid message — to the error queue with the reason in headers, and a
 * `system.message-dead-lettered.v1` notice is published; then the original is acked. A copy that cannot be made
 * leaves the original unacked for RabbitMQ to redeliver.
 */
import type { ConfirmChannel, ConsumeMessage, GetMessage, Options } from "amqplib";
import type { AnyEnvelope } from "../../contracts";
import type { Logger } from "../../logging";
import { type Broker, confirmPublish, errorMessage } from "../broker";
import { attrs, instruments } from "../telemetry";
import type { ConsumerQueues } from "./topology";

/** Header names on messages in retry and error queues. */
export const headers = {
  attempt: "x-retry-count",
  lastError: "x-last-error",
  reason: "x-death-reason",
  kind: "x-failure-kind",
  attempts: "x-failed-attempts",
  originalRoutingKey: "x-original-routing-key",
  originalExchange: "x-original-exchange",
  failedAt: "x-failed-at",
  service: "x-consumer-service",
} as const;

export type FailureKind = "handler_failed" | "invalid_message" | "unhandled_type";
const MAX_REASON = 2000;

/** The properties a message keeps when it is published again (retry, park, replay), with `headers` as its headers. */
export function republishedProperties(msg: ConsumeMessage | GetMessage, headers: Record<string, unknown>): Options.Publish {
  const p = msg.properties;
  return {
    persistent: true,
    contentType: p.contentType,
    messageId: p.messageId,
    correlationId: p.correlationId,
    type: p.type,
    appId: p.appId,
    timestamp: p.timestamp,
    headers,
  };
}

export function truncate(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text;
}

/** The message being parked, for the error queue's headers and the dead-letter notice. */
export interface ParkedMessage {
  kind: FailureKind;
  reason: string;
  attempts: number;
  routingKey: string;
  envelope?: AnyEnvelope;
}

export class Redelivery {
  constructor(
    private readonly broker: Broker,
    private readonly service: string,
    private readonly queues: ConsumerQueues,
    private readonly delays: readonly number[],
    private readonly log: Logger,
  ) {}

  /** Sends the message to retry queue `attempt` (its delay), or parks it after the last retry. */
  async failed(
    ch: ConfirmChannel,
    msg: ConsumeMessage,
    attempt: number,
    reason: string,
    routingKey: string,
    envelope: AnyEnvelope,
  ): Promise<void> {
    if (attempt <= this.delays.length) await this.retry(ch, msg, attempt, reason, routingKey);
    else await this.park(ch, msg, { kind: "handler_failed", reason, attempts: attempt, routingKey, envelope });
  }

  private async retry(ch: ConfirmChannel, msg: ConsumeMessage, attempt: number, reason: string, routingKey: string): Promise<void> {
    const delayMs = this.delays[attempt - 1] ?? 0;
    const queue = this.queues.retry[attempt - 1] as string;
    this.log.warn({ messageId: msg.properties.messageId, attempt, delayMs, err: reason }, "handler failed; retrying later");
    const ok = await this.republish(
      ch,
      msg,
      queue,
      {
        [headers.attempt]: attempt,
        [headers.lastError]: truncate(reason),
        [headers.originalRoutingKey]: routingKey,
      },
      { expiration: String(delayMs) },
    );
    if (!ok) return;
    instruments().retried.add(1, attrs(routingKey));
    instruments().consumed.add(1, attrs(routingKey, { outcome: "retry" }));
  }

  async park(ch: ConfirmChannel, msg: ConsumeMessage, parked: ParkedMessage): Promise<void> {
    const { kind, reason, attempts, routingKey } = parked;
    this.log.error({ messageId: msg.properties.messageId, kind, attempts, err: reason }, `moving message to ${this.queues.error}`);
    const ok = await this.republish(ch, msg, this.queues.error, {
      [headers.reason]: truncate(reason),
      [headers.kind]: kind,
      [headers.attempts]: attempts,
      [headers.originalRoutingKey]: routingKey,
      [headers.originalExchange]: msg.fields.exchange || this.broker.exchange,
      [headers.failedAt]: new Date().toISOString(),
      [headers.service]: this.service,
    });
    if (!ok) return;
    instruments().deadLettered.add(1, attrs(routingKey, { reason: kind }));
    instruments().consumed.add(1, attrs(routingKey, { outcome: "dead_letter" }));
    // Tell the platform (whoever watches dead letters, the aggregate's owner); never about a dead-letter notice itself.
    if (routingKey !== "system.message-dead-lettered.v1") this.announce(msg, parked);
  }

  private announce(msg: ConsumeMessage, { reason, attempts, routingKey, envelope }: ParkedMessage): void {
    const messageId = String(msg.properties.messageId ?? envelope?.messageId ?? "unknown");
    const aggregateId = envelope?.aggregateId;
    const body = { queue: this.queues.error, service: this.service, messageId, type: routingKey, reason: truncate(reason), attempts };
    this.broker
      .publish(
        "system.message-dead-lettered.v1",
        { ...body, ...(aggregateId ? { aggregateId } : {}) },
        envelope ? { correlationId: envelope.correlationId, causationId: envelope.messageId, ...(aggregateId ? { aggregateId } : {}) } : {},
      )
      .catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, "could not publish dead-letter notice"));
  }

  /** Copies the message to `queue` (confirmed) and acks the original; false if it must be redelivered. */
  private async republish(
    ch: ConfirmChannel,
    msg: ConsumeMessage,
    queue: string,
    extraHeaders: Record<string, string | number>,
    extra: Partial<Options.Publish> = {},
  ): Promise<boolean> {
    const { "x-death": _death, ...kept } = (msg.properties.headers ?? {}) as Record<string, unknown>;
    const properties: Options.Publish = { ...republishedProperties(msg, { ...kept, ...extraHeaders }), ...extra };
    try {
      await confirmPublish(ch, "", queue, msg.content, properties, 15_000);
    } catch (err) {
      // Not acked: RabbitMQ redelivers it (after reconnect, or now if the channel still lives).
      this.log.warn({ err: errorMessage(err), queue }, "could not move message; leaving it for redelivery");
      await Bun.sleep(1000);
      try {
        ch.nack(msg, false, true);
      } catch {
        // channel already closed: the broker requeues unacked messages itself
      }
      return false;
    }
    this.ack(ch, msg);
    return true;
  }

  ack(ch: ConfirmChannel, msg: ConsumeMessage): void {
    try {
      ch.ack(msg);
    } catch (err) {
      // Channel closed meanwhile: the message comes back and the inbox makes the repeat harmless.
      this.log.warn({ err: errorMessage(err), messageId: msg.properties.messageId }, "ack failed; message will be redelivered");
    }
  }
}
