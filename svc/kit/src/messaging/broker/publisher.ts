/**
 * Publishing: one confirm channel per connection (re-created after a channel error or a reconnect), a producer span
 * per message whose context travels in the message's headers, and `confirmPublish`, which settles on the broker's
 * ack or nack — so a publish resolves only once the broker has the message.
 */
import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from "@opentelemetry/api";
import type { ConfirmChannel, Options } from "amqplib";
import type { Envelope } from "../../contracts";
import type { Logger } from "../../logging";
import { attrs, instruments, tracer } from "../telemetry";
import type { BrokerConnection } from "./connection";
import { BrokerUnavailableError, errorMessage } from "./errors";

/** W3C trace context of `ctx`, as AMQP headers (`traceparent`, `tracestate`). */
export function traceHeaders(ctx: Context): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!traceparent) return context.active();
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** Publishes on a confirm channel and settles on the broker's ack/nack (or the channel closing). */
export function confirmPublish(
  ch: ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  properties: Options.Publish,
  timeoutMs: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BrokerUnavailableError(`no publisher confirm within ${timeoutMs} ms`)), timeoutMs);
    try {
      ch.publish(exchange, routingKey, content, properties, (err: unknown) => {
        clearTimeout(timer);
        if (err) reject(err instanceof Error ? err : new BrokerUnavailableError(`broker rejected the message: ${String(err)}`));
        else resolve();
      });
    } catch (err) {
      // amqplib throws synchronously when the channel is already closed.
      clearTimeout(timer);
      reject(err);
    }
  });
}

export class Publisher {
  private channel: Promise<ConfirmChannel> | null = null;

  constructor(
    private readonly connection: BrokerConnection,
    private readonly exchange: string,
    private readonly confirmTimeoutMs: number,
    private readonly log: Logger,
  ) {}

  /** Drops the channel (the connection went away; the next publish opens a new one). */
  reset(): void {
    this.channel = null;
  }

  private getChannel(): Promise<ConfirmChannel> {
    const model = this.connection.current;
    if (!model || this.connection.closing) return Promise.reject(new BrokerUnavailableError("not connected to RabbitMQ"));
    if (this.channel) return this.channel;
    const created = model.createConfirmChannel().then(async (ch) => {
      ch.on("error", (err: Error) => this.log.warn({ err: err.message }, "publish channel error"));
      ch.on("close", () => {
        if (this.channel === created) this.channel = null;
      });
      // A channel closed by a channel-level error (e.g. the exchange was deleted) is replaced by this
      // one; redeclaring is idempotent and puts a missing exchange back.
      await ch.assertExchange(this.exchange, "topic", { durable: true });
      return ch;
    });
    created.catch(() => {
      if (this.channel === created) this.channel = null;
    });
    this.channel = created;
    return created;
  }

  async publishEnvelope(envelope: Envelope): Promise<void> {
    const parent = envelope.traceparent ? contextFromTraceparent(envelope.traceparent) : context.active();
    const span = tracer().startSpan(
      `${envelope.type} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          "messaging.system": "rabbitmq",
          "messaging.operation.type": "send",
          "messaging.destination.name": this.exchange,
          "messaging.rabbitmq.destination.routing_key": envelope.type,
          "messaging.message.id": envelope.messageId,
          "messaging.message.conversation_id": envelope.correlationId,
        },
      },
      parent,
    );
    const headers = traceHeaders(trace.setSpan(parent, span));
    const wire: Envelope = { ...envelope, ...(headers.traceparent ? { traceparent: headers.traceparent } : {}) };
    try {
      if (this.connection.blocked) throw new BrokerUnavailableError("RabbitMQ has blocked publishing (resource alarm)");
      const ch = await this.getChannel();
      await confirmPublish(
        ch,
        this.exchange,
        envelope.type,
        Buffer.from(JSON.stringify(wire)),
        wireProperties(envelope, headers),
        this.confirmTimeoutMs,
      );
      instruments().published.add(1, attrs(envelope.type, { outcome: "ok" }));
      span.setStatus({ code: SpanStatusCode.OK });
    } catch (err) {
      instruments().published.add(1, attrs(envelope.type, { outcome: "error" }));
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
      throw err;
    } finally {
      span.end();
    }
  }

  async close(): Promise<void> {
    const pending = this.channel;
    this.channel = null;
    if (pending) await pending.then((ch) => ch.close()).catch(() => {});
  }
}

function wireProperties(envelope: Envelope, headers: Record<string, string>): Options.Publish {
  return {
    persistent: true,
    contentType: "application/json",
    messageId: envelope.messageId,
    correlationId: envelope.correlationId,
    type: envelope.type,
    appId: envelope.source,
    timestamp: Math.floor(Date.parse(envelope.occurredAt) / 1000),
    headers: { ...headers, "x-causation-id": envelope.causationId },
  };
}
