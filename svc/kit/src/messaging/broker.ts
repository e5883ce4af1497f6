/**
 * One AMQP connection per process (amqplib's built-in recovery reconnects it with backoff) and a
 * confirm channel for publishing. `publish` resolves only after the broker confirmed the message;
 * a nack, a closed channel or a lost connection rejects, so callers (and the outbox relay) know.
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { type Context, ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from "@opentelemetry/api";
import amqp, { type ChannelModel, type ConfirmChannel, type Options, type RecoveringChannelModel } from "amqplib";
import { type EventBody, type EventType, type Envelope, assertBody } from "../contracts";
import type { MessagingConfig } from "../config";
import type { Logger } from "../logging";
import { attrs, instruments, tracer } from "./telemetry";

/** Same shape as the kit's HealthCheck: reject = down. */
export interface BrokerHealthCheck {
  name: string;
  check(): Promise<void>;
}

export interface BrokerOptions {
  /** amqp://user:pass@host:5672/vhost */
  url: string;
  /** The service publishing (envelope `source`) — also part of the connection name. */
  service: string;
  logger: Logger;
  /** Topic exchange for events. Default `meridian.events`; tests pass a unique one. */
  exchange?: string;
  /** Name shown in the RabbitMQ management UI / `rabbitmqctl list_connections`. Default `<service>@<host>:<pid>:<random>`. */
  connectionName?: string;
  /** Reconnect backoff (exponential with jitter). Defaults 200 ms → 15 s. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Wait for the first connection before resolving (default true; retries with backoff until it succeeds). */
  waitForConnection?: boolean;
  /** How long a publish waits for the broker's confirm before failing (default 15 s). */
  confirmTimeoutMs?: number;
  /** Name of the readiness check (default `rabbitmq`). */
  healthCheckName?: string;
}

export interface PublishOptions {
  /** The entity the event is about; consumers handle one aggregate's events one at a time, in order. */
  aggregateId?: string;
  correlationId?: string;
  causationId?: string;
  messageId?: string;
  occurredAt?: Date | string;
}

export interface Broker {
  readonly service: string;
  readonly logger: Logger;
  readonly exchange: string;
  readonly connectionName: string;
  /** True while a connection is open (and the broker has not blocked us). */
  readonly connected: boolean;
  /** Validates the body, wraps it in an envelope and publishes it; resolves after the broker's confirm. */
  publish<T extends EventType>(type: T, body: EventBody<T>, options?: PublishOptions): Promise<Envelope<T>>;
  /** Publishes a ready envelope (used by the outbox relay); resolves after the broker's confirm. */
  publishEnvelope(envelope: Envelope): Promise<void>;
  /** Readiness: rejects while the connection is down or blocked. */
  readonly healthCheck: BrokerHealthCheck;
  /**
   * Runs `setup` with the connection now (if connected) and after every reconnect; used by consumers
   * to redeclare topology and re-subscribe. Returns the function that unregisters it.
   */
  onConnected(setup: (connection: ChannelModel) => Promise<void>): ConnectedRegistration;
  /** A new confirm channel on the current connection, for tools (the caller closes it). */
  openChannel(): Promise<ConfirmChannel>;
  /** Resolves once connected (immediately if connected now). */
  untilConnected(): Promise<void>;
  close(): Promise<void>;
}

export interface ConnectedRegistration {
  /** Settles with the first run of `setup` (after the broker is connected); a failure unregisters it. */
  ready: Promise<void>;
  dispose(): void;
}

export class BrokerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BrokerUnavailableError";
  }
}

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

/** `connectBroker` to the broker and exchange of `messagingConfig()` (RABBITMQ_URL, RABBITMQ_EXCHANGE). */
export function connectBrokerFromConfig(
  config: Pick<MessagingConfig, "RABBITMQ_URL" | "RABBITMQ_EXCHANGE">,
  options: Omit<BrokerOptions, "url" | "exchange">,
): Promise<Broker> {
  return connectBroker({ ...options, url: config.RABBITMQ_URL, exchange: config.RABBITMQ_EXCHANGE });
}

export async function connectBroker(options: BrokerOptions): Promise<Broker> {
  const exchange = options.exchange ?? "meridian.events";
  const service = options.service;
  const log = options.logger.child({ component: "messaging", exchange });
  const connectionName =
    options.connectionName ?? `${service}@${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 15_000;

  let current: ChannelModel | null = null;
  let blocked = false;
  let closing = false;
  let publishChannel: Promise<ConfirmChannel> | null = null;
  const setups = new Set<(connection: ChannelModel) => Promise<void>>();
  let waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];

  const connection: RecoveringChannelModel = await amqp.connect(options.url, {
    clientProperties: { connection_name: connectionName, service },
    recovery: {
      initialDelay: options.reconnect?.initialDelayMs ?? 200,
      maxDelay: options.reconnect?.maxDelayMs ?? 15_000,
      jitter: 0.2,
      maxRetries: Number.POSITIVE_INFINITY,
      waitForConnect: false,
      // Declared on every (re)connect: the exchange is the one thing every publisher needs.
      setup: async (model: ChannelModel) => {
        const ch = await model.createChannel();
        await ch.assertExchange(exchange, "topic", { durable: true });
        await ch.close();
      },
    },
  });

  connection.on("connect", (model: ChannelModel) => {
    current = model;
    blocked = false;
    log.info({ connectionName }, "connected to RabbitMQ");
    for (const setup of setups) runSetup(setup, model);
    const ready = waiters;
    waiters = [];
    for (const waiter of ready) waiter.resolve();
  });
  connection.on("disconnect", (err: Error) => {
    current = null;
    publishChannel = null;
    if (!closing) log.warn({ err: err.message }, "lost RabbitMQ connection; reconnecting");
  });
  connection.on("connect-failed", (err: Error) => log.warn({ err: err.message }, "RabbitMQ connection attempt failed"));
  connection.on("reconnect-scheduled", (info: { attempt: number; delay: number }) =>
    log.debug({ attempt: info.attempt, delayMs: info.delay }, "RabbitMQ reconnect scheduled"),
  );
  connection.on("blocked", (reason: string) => {
    blocked = true;
    log.warn({ reason }, "RabbitMQ blocked this connection");
  });
  connection.on("unblocked", () => {
    blocked = false;
    log.info("RabbitMQ unblocked this connection");
  });
  connection.on("error", (err: Error) => log.warn({ err: err.message }, "RabbitMQ connection error"));

  /** Later runs that fail are retried on the same connection with backoff while it stays current. */
  function runSetup(setup: (connection: ChannelModel) => Promise<void>, model: ChannelModel, attempt = 1): void {
    setup(model).catch((err: unknown) => {
      const delayMs = Math.min(30_000, 500 * 2 ** attempt);
      log.error({ err: errorMessage(err), retryInMs: delayMs }, "messaging setup after connect failed");
      const timer = setTimeout(() => {
        if (current === model && setups.has(setup) && !closing) runSetup(setup, model, attempt + 1);
      }, delayMs);
      timer.unref?.();
    });
  }

  function untilConnected(): Promise<void> {
    if (current) return Promise.resolve();
    if (closing) return Promise.reject(new BrokerUnavailableError("broker is closed"));
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  function getPublishChannel(): Promise<ConfirmChannel> {
    const model = current;
    if (!model || closing) return Promise.reject(new BrokerUnavailableError("not connected to RabbitMQ"));
    if (publishChannel) return publishChannel;
    const created = model.createConfirmChannel().then(async (ch) => {
      ch.on("error", (err: Error) => log.warn({ err: err.message }, "publish channel error"));
      ch.on("close", () => {
        if (publishChannel === created) publishChannel = null;
      });
      // A channel closed by a channel-level error (e.g. the exchange was deleted) is replaced by this
      // one; redeclaring is idempotent and puts a missing exchange back.
      await ch.assertExchange(exchange, "topic", { durable: true });
      return ch;
    });
    created.catch(() => {
      if (publishChannel === created) publishChannel = null;
    });
    publishChannel = created;
    return created;
  }

  async function publishEnvelope(envelope: Envelope): Promise<void> {
    const parent = envelope.traceparent ? contextFromTraceparent(envelope.traceparent) : context.active();
    const span = tracer().startSpan(
      `${envelope.type} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          "messaging.system": "rabbitmq",
          "messaging.operation.type": "send",
          "messaging.destination.name": exchange,
          "messaging.rabbitmq.destination.routing_key": envelope.type,
          "messaging.message.id": envelope.messageId,
          "messaging.message.conversation_id": envelope.correlationId,
        },
      },
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    const headers = traceHeaders(spanContext);
    const wire: Envelope = { ...envelope, ...(headers.traceparent ? { traceparent: headers.traceparent } : {}) };
    const properties: Options.Publish = {
      persistent: true,
      contentType: "application/json",
      messageId: envelope.messageId,
      correlationId: envelope.correlationId,
      type: envelope.type,
      appId: envelope.source,
      timestamp: Math.floor(Date.parse(envelope.occurredAt) / 1000),
      headers: { ...headers, "x-causation-id": envelope.causationId },
    };
    try {
      if (blocked) throw new BrokerUnavailableError("RabbitMQ has blocked publishing (resource alarm)");
      const ch = await getPublishChannel();
      await confirmPublish(ch, exchange, envelope.type, Buffer.from(JSON.stringify(wire)), properties, confirmTimeoutMs);
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

  const broker: Broker = {
    service,
    logger: options.logger,
    exchange,
    connectionName,
    get connected() {
      return current !== null && !blocked && !closing;
    },
    async publish(type, body, publishOptions = {}) {
      assertBody(type, body);
      const messageId = publishOptions.messageId ?? randomUUID();
      const correlationId = publishOptions.correlationId ?? messageId;
      const occurredAt = publishOptions.occurredAt ?? new Date();
      const envelope = {
        messageId,
        type,
        occurredAt: typeof occurredAt === "string" ? occurredAt : occurredAt.toISOString(),
        correlationId,
        causationId: publishOptions.causationId ?? messageId,
        source: service,
        ...(publishOptions.aggregateId ? { aggregateId: publishOptions.aggregateId } : {}),
        body,
      } as Envelope<typeof type>;
      await publishEnvelope(envelope as Envelope);
      return envelope;
    },
    publishEnvelope,
    healthCheck: {
      name: options.healthCheckName ?? "rabbitmq",
      async check() {
        if (closing) throw new BrokerUnavailableError("broker connection closed");
        if (!current) throw new BrokerUnavailableError("not connected to RabbitMQ (reconnecting)");
        if (blocked) throw new BrokerUnavailableError("RabbitMQ blocked the connection (resource alarm)");
      },
    },
    onConnected(setup) {
      let disposed = false;
      const ready = (async () => {
        // Retry while the failure was the connection going away; a failure on a healthy
        // connection (e.g. queue arguments mismatch) is the caller's to see.
        for (;;) {
          await untilConnected();
          const model = current;
          if (!model) continue;
          try {
            await setup(model);
          } catch (err) {
            if (current === model && !closing) throw err;
            log.warn({ err: errorMessage(err) }, "connection lost during messaging setup; retrying");
            continue;
          }
          // Registered after the first run: every later (re)connect runs it again.
          if (!disposed) setups.add(setup);
          if (current !== model && current) runSetup(setup, current);
          return;
        }
      })();
      ready.catch(() => {});
      return {
        ready,
        dispose: () => {
          disposed = true;
          setups.delete(setup);
        },
      };
    },
    untilConnected,
    async openChannel() {
      if (!current || closing) throw new BrokerUnavailableError("not connected to RabbitMQ");
      const ch = await current.createConfirmChannel();
      ch.on("error", (err: Error) => log.warn({ err: err.message }, "tool channel error"));
      return ch;
    },
    async close() {
      if (closing) return;
      closing = true;
      const stranded = waiters;
      waiters = [];
      for (const waiter of stranded) waiter.reject(new BrokerUnavailableError("broker is closed"));
      const pending = publishChannel;
      publishChannel = null;
      if (pending) await pending.then((ch) => ch.close()).catch(() => {});
      await connection.close().catch(() => {});
      current = null;
      log.info("RabbitMQ connection closed");
    },
  };

  if (options.waitForConnection !== false) await untilConnected();
  return broker;
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
    const timer = setTimeout(
      () => reject(new BrokerUnavailableError(`no publisher confirm within ${timeoutMs} ms`)),
      timeoutMs,
    );
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

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
