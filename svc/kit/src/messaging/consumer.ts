/**
 * A service's consumer: declares its topology (idempotently, on every connect), consumes with a bounded
 * prefetch, acks only after the handler resolved (i.e. its transaction committed), retries failures
 * through per-attempt delay queues and finally moves the message to `<service>.error` with the reason in
 * headers. Every delivery ends in an ack, so a poison message never blocks the queue.
 *
 * Topology for service `s` on exchange `x`:
 *   s.events   quorum; bound to x by each handled type; messages over the delivery limit
 *              (e.g. a handler crashing the process) are dead-lettered by RabbitMQ to s.error
 *   s.retry.n  quorum; holds a failed message for delaysMs[n-1] (per-message TTL), then dead-letters
 *              it back to s.events
 *   s.error    quorum; parked messages, headers x-death-reason, x-failure-kind, x-failed-attempts, ...
 */
import {
  type Span,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from "@opentelemetry/api";
import type { ChannelModel, ConfirmChannel, ConsumeMessage, GetMessage, Options } from "amqplib";
import { type AnyEnvelope, type EventType, type Envelope, parseEnvelope } from "../contracts";
import type { Logger } from "../logging";
import { isTransientDatabaseError } from "../postgres";
import { type Broker, confirmPublish, errorMessage } from "./broker";
import { attrs, instruments, observeQueueDepth, tracer } from "./telemetry";

/** What a handler may report; `duplicate` (e.g. from pgInbox.handleOnce) is counted separately. */
export type HandleOutcome = "applied" | "duplicate";

export interface HandlerContext {
  /** Logger bound to this message (messageId, type, attempt); lines carry the consumer span's ids. */
  log: Logger;
  /** 1 for the first delivery, 2 after the first retry, ... */
  attempt: number;
  /** The consumer span; add attributes or events if useful. */
  span: Span;
  /** Options for events this handler publishes: same correlationId, causationId = this messageId. */
  causedBy: { correlationId: string; causationId: string };
  /**
   * Aborted when the handler timed out (the message is already on its way to a retry): pass it to the store
   * (`pgInbox.handleOnce(..., { signal })`) so the transaction rolls back instead of committing late.
   */
  signal: AbortSignal;
}

export type EnvelopeOf<T extends EventType> = { [K in T]: Envelope<K> }[T];

export interface ConsumerOptions<T extends EventType> {
  broker: Broker;
  /** Consuming service: names the queues `<service>.events`, `.retry.<n>`, `.error`. */
  service: string;
  /** Event types to bind (routing keys on the exchange). */
  types: readonly T[];
  /** Delay before each retry; its length is the number of retries before `<service>.error`. Default [1000, 5000, 30000]. */
  retry?: { delaysMs: readonly number[] };
  /** Unacked messages in flight at once (default 16). */
  prefetch?: number;
  /**
   * A handler running longer (its in-place retries included) counts as failed (default 15 s): far shorter than
   * the retry budget, so a handler stuck on a dead connection costs one attempt, not the whole budget.
   */
  handlerTimeoutMs?: number;
  /**
   * Transient failures (default: the kit's transient database errors — dropped connection, terminated backend,
   * serialization failure, deadlock) are retried in place before a redelivery is spent: `attempts` in all
   * (default 3), waiting `initialDelayMs` (default 200 ms), then 4× as long each time.
   */
  transientRetry?: { attempts?: number; initialDelayMs?: number; isTransient?: (error: unknown) => boolean };
  /** RabbitMQ redeliveries (crashes, lost connections) before it parks the message in `<service>.error` (default 20). */
  deliveryLimit?: number;
  /**
   * Messages with the same key are handled one at a time, in delivery order (others run in parallel up to
   * `prefetch`). Default: the envelope's `aggregateId`; return undefined for no ordering.
   */
  orderingKey?: (envelope: EnvelopeOf<T>) => string | undefined;
  /** How often the queue depths (`messaging_queue_depth`) are read from the broker (default 15 s; 0 = never). */
  queueDepthIntervalMs?: number;
  logger?: Logger;
  handle: (envelope: EnvelopeOf<T>, ctx: HandlerContext) => Promise<void | HandleOutcome>;
}

export interface Consumer {
  readonly queues: { events: string; retry: string[]; error: string };
  /** True while subscribed to `<service>.events`. */
  readonly consuming: boolean;
  /** Readiness check `consumer:<service>`: rejects while not subscribed (reconnecting, re-subscribing). */
  readonly healthCheck: { name: string; check(): Promise<void> };
  /** Stops taking messages, waits for handlers in flight, closes the channel. */
  stop(): Promise<void>;
}

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

export const queueNames = (service: string, retries: number) => ({
  events: `${service}.events`,
  retry: Array.from({ length: retries }, (_, i) => `${service}.retry.${i + 1}`),
  error: `${service}.error`,
});

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

type FailureKind = "handler_failed" | "invalid_message" | "unhandled_type";
const MAX_REASON = 2000;

export async function startConsumer<T extends EventType>(options: ConsumerOptions<T>): Promise<Consumer> {
  const { broker, service } = options;
  const delays = [...(options.retry?.delaysMs ?? [1000, 5000, 30000])];
  const prefetch = options.prefetch ?? 16;
  const handlerTimeoutMs = options.handlerTimeoutMs ?? 15_000;
  const inPlace = {
    attempts: options.transientRetry?.attempts ?? 3,
    initialDelayMs: options.transientRetry?.initialDelayMs ?? 200,
    isTransient: options.transientRetry?.isTransient ?? isTransientDatabaseError,
  };
  const types = new Set<string>(options.types);
  const queues = queueNames(service, delays.length);
  const log = (options.logger ?? broker.logger).child({ component: "consumer", consumer: service });
  const quorum = { "x-queue-type": "quorum" };

  let stopping = false;
  let channel: ConfirmChannel | null = null;
  let consumerTag: string | null = null;
  let lastModel: ChannelModel | null = null;
  const inFlight = new Set<Promise<void>>();
  /** Tail of the chain of each ordering key that has messages in flight. */
  const keyTails = new Map<string, Promise<void>>();
  const depths = new Map<string, number>();

  async function setup(model: ChannelModel): Promise<void> {
    if (stopping) return;
    lastModel = model;
    const ch = await model.createConfirmChannel();
    ch.on("error", (err: Error) => log.warn({ err: err.message }, "consumer channel error"));
    ch.on("close", () => {
      const wasConsuming = channel === ch;
      if (wasConsuming) {
        channel = null;
        consumerTag = null;
      }
      // Only a consuming channel is replaced here; a failed setup is reported (or retried) by its caller.
      if (stopping || !wasConsuming) return;
      // A channel-level error on a live connection: re-subscribe on the same connection.
      resubscribe(model);
    });
    try {
      await ch.assertExchange(broker.exchange, "topic", { durable: true });
      await ch.assertQueue(queues.error, { durable: true, arguments: { ...quorum } });
      await ch.assertQueue(queues.events, {
        durable: true,
        arguments: {
          ...quorum,
          "x-delivery-limit": options.deliveryLimit ?? 20,
          "x-dead-letter-exchange": "",
          "x-dead-letter-routing-key": queues.error,
        },
      });
      for (const retryQueue of queues.retry) {
        // Per-message TTL (set when retrying) rather than x-message-ttl: changing the delays
        // must not make the redeclaration fail with PRECONDITION_FAILED.
        await ch.assertQueue(retryQueue, {
          durable: true,
          arguments: {
            ...quorum,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": queues.events,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
          },
        });
      }
      for (const type of types) await ch.bindQueue(queues.events, broker.exchange, type);
      await ch.prefetch(prefetch);
      if (stopping) {
        await ch.close().catch(() => {});
        return;
      }
      const reply = await ch.consume(queues.events, (msg) => onMessage(ch, msg), { noAck: false });
      channel = ch;
      consumerTag = reply.consumerTag;
      log.info({ queue: queues.events, prefetch, types: [...types] }, "consuming");
    } catch (err) {
      await ch.close().catch(() => {});
      throw err;
    }
  }

  /**
   * Re-subscribes on the same connection until it works, waiting 1 s, 2 s, 4 s … up to 10 s between attempts; the
   * readiness check is down meanwhile. (A new connection re-subscribes through `broker.onConnected`.)
   */
  function resubscribe(model: ChannelModel, delayMs = 1000): void {
    const timer = setTimeout(() => {
      if (stopping || channel || lastModel !== model || !broker.connected) return;
      setup(model).catch((err: unknown) => {
        const next = Math.min(10_000, delayMs * 2);
        log.error({ err: errorMessage(err), retryInMs: next }, "consumer re-subscribe failed; retrying");
        resubscribe(model, next);
      });
    }, delayMs);
    timer.unref?.();
  }

  function onMessage(ch: ConfirmChannel, msg: ConsumeMessage | null): void {
    if (!msg) {
      // RabbitMQ cancelled the subscription (queue deleted, or its leader lost): not consuming any more, so
      // readiness turns down, and the channel is replaced by a new subscription that declares the queue again.
      log.warn({ queue: queues.events }, "consumer cancelled by RabbitMQ; re-subscribing");
      if (channel === ch) ch.close().catch(() => {});
      return;
    }
    const work = processMessage(ch, msg).catch((err: unknown) =>
      log.error({ err: errorMessage(err) }, "message processing failed unexpectedly"),
    );
    inFlight.add(work);
    work.finally(() => inFlight.delete(work));
  }

  async function processMessage(ch: ConfirmChannel, msg: ConsumeMessage): Promise<void> {
    const messageHeaders = msg.properties.headers ?? {};
    const attempt = Number(messageHeaders[headers.attempt] ?? 0) + 1;
    const routingKey = String(messageHeaders[headers.originalRoutingKey] ?? msg.fields.routingKey);
    let envelope: AnyEnvelope;
    try {
      envelope = parseEnvelope(JSON.parse(msg.content.toString("utf8")));
    } catch (err) {
      await park(ch, msg, "invalid_message", `invalid message: ${errorMessage(err)}`, attempt - 1, routingKey);
      return;
    }
    if (!types.has(envelope.type)) {
      await park(ch, msg, "unhandled_type", `type ${envelope.type} is not handled by ${service}`, attempt - 1, routingKey);
      return;
    }

    const key = options.orderingKey ? options.orderingKey(envelope as EnvelopeOf<T>) : envelope.aggregateId;
    await inOrder(key, () => handleValid(ch, msg, envelope, attempt, routingKey));
  }

  /** Runs `work` after every earlier message with the same key has finished (no key: right away). */
  async function inOrder(key: string | undefined, work: () => Promise<void>): Promise<void> {
    if (!key) return work();
    const previous = keyTails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    keyTails.set(key, mine);
    try {
      if (previous) await previous;
      await work();
    } finally {
      release();
      if (keyTails.get(key) === mine) keyTails.delete(key);
    }
  }

  async function handleValid(
    ch: ConfirmChannel,
    msg: ConsumeMessage,
    envelope: AnyEnvelope,
    attempt: number,
    routingKey: string,
  ): Promise<void> {
    const messageHeaders = msg.properties.headers ?? {};
    const parent = propagation.extract(
      ROOT_CONTEXT,
      typeof messageHeaders.traceparent === "string" ? messageHeaders : { traceparent: envelope.traceparent },
    );
    const span = tracer().startSpan(
      `${envelope.type} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          "messaging.system": "rabbitmq",
          "messaging.operation.type": "process",
          "messaging.destination.name": queues.events,
          "messaging.rabbitmq.destination.routing_key": envelope.type,
          "messaging.message.id": envelope.messageId,
          "messaging.message.conversation_id": envelope.correlationId,
          "messaging.consumer.group.name": service,
          "messaging.delivery.attempt": attempt,
        },
      },
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    const started = performance.now();
    const destination = envelope.type;
    const abort = new AbortController();
    const running = context.with(spanContext, () =>
      handleInPlace(envelope as EnvelopeOf<T>, {
        log: log.child({ messageId: envelope.messageId, type: envelope.type, attempt }),
        attempt,
        span,
        causedBy: { correlationId: envelope.correlationId, causationId: envelope.messageId },
        signal: abort.signal,
      }),
    );
    try {
      const outcome = await withTimeout(running, handlerTimeoutMs, () => abort.abort(new Error(`handler timed out after ${handlerTimeoutMs} ms`)));
      instruments().handlerDuration.record((performance.now() - started) / 1000, attrs(destination));
      ack(ch, msg);
      const result = outcome === "duplicate" ? "duplicate" : "ack";
      instruments().consumed.add(1, attrs(destination, { outcome: result }));
      span.setAttribute("messaging.outcome", result);
      span.setStatus({ code: SpanStatusCode.OK });
    } catch (err) {
      instruments().handlerDuration.record((performance.now() - started) / 1000, attrs(destination));
      span.recordException(err instanceof Error ? err : new Error(String(err)));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(err) });
      const reason = errorMessage(err);
      await context.with(spanContext, async () => {
        if (attempt <= delays.length) await retry(ch, msg, attempt, reason, routingKey);
        else await park(ch, msg, "handler_failed", reason, attempt, routingKey, envelope);
      });
      // A timed-out handler may still be running: hold this message's ordering key until it has ended, so the
      // next event of the same aggregate (its retry included) never runs beside it.
      if (abort.signal.aborted) await running.then(() => {}, () => {});
    } finally {
      span.end();
    }
  }

  /** The handler, with transient failures retried in place (the inbox makes a rolled-back try harmless to repeat). */
  async function handleInPlace(envelope: EnvelopeOf<T>, ctx: HandlerContext): Promise<void | HandleOutcome> {
    for (let tryNo = 1; ; tryNo++) {
      try {
        return await options.handle(envelope, ctx);
      } catch (err) {
        if (tryNo >= inPlace.attempts || ctx.signal.aborted || !inPlace.isTransient(err)) throw err;
        const delayMs = inPlace.initialDelayMs * 4 ** (tryNo - 1);
        ctx.log.warn({ err: errorMessage(err), try: tryNo, retryInMs: delayMs }, "transient failure; retrying in place");
        await sleep(delayMs);
      }
    }
  }

  async function retry(ch: ConfirmChannel, msg: ConsumeMessage, attempt: number, reason: string, routingKey: string) {
    const delayMs = delays[attempt - 1] ?? 0;
    const queue = queues.retry[attempt - 1] as string;
    log.warn({ messageId: msg.properties.messageId, attempt, delayMs, err: reason }, "handler failed; retrying later");
    const ok = await republish(ch, msg, queue, {
      [headers.attempt]: attempt,
      [headers.lastError]: truncate(reason),
      [headers.originalRoutingKey]: routingKey,
    }, { expiration: String(delayMs) });
    if (!ok) return;
    instruments().retried.add(1, attrs(routingKey));
    instruments().consumed.add(1, attrs(routingKey, { outcome: "retry" }));
  }

  async function park(
    ch: ConfirmChannel,
    msg: ConsumeMessage,
    kind: FailureKind,
    reason: string,
    attempts: number,
    routingKey: string,
    envelope?: AnyEnvelope,
  ): Promise<void> {
    log.error({ messageId: msg.properties.messageId, kind, attempts, err: reason }, `moving message to ${queues.error}`);
    const ok = await republish(ch, msg, queues.error, {
      [headers.reason]: truncate(reason),
      [headers.kind]: kind,
      [headers.attempts]: attempts,
      [headers.originalRoutingKey]: routingKey,
      [headers.originalExchange]: msg.fields.exchange || broker.exchange,
      [headers.failedAt]: new Date().toISOString(),
      [headers.service]: service,
    });
    if (!ok) return;
    instruments().deadLettered.add(1, attrs(routingKey, { reason: kind }));
    instruments().consumed.add(1, attrs(routingKey, { outcome: "dead_letter" }));
    // Tell the platform (notifications, audit); never about a dead-letter notice itself (no loops).
    if (routingKey === "system.message-dead-lettered.v1") return;
    const messageId = String(msg.properties.messageId ?? envelope?.messageId ?? "unknown");
    const aggregateId = envelope?.aggregateId;
    broker
      .publish(
        "system.message-dead-lettered.v1",
        { queue: queues.error, service, messageId, type: routingKey, reason: truncate(reason), attempts, ...(aggregateId ? { aggregateId } : {}) },
        envelope ? { correlationId: envelope.correlationId, causationId: envelope.messageId, ...(aggregateId ? { aggregateId } : {}) } : {},
      )
      .catch((err: unknown) => log.warn({ err: errorMessage(err) }, "could not publish dead-letter notice"));
  }

  /** Copies the message to `queue` (confirmed) and acks the original; false if it must be redelivered. */
  async function republish(
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
      log.warn({ err: errorMessage(err), queue }, "could not move message; leaving it for redelivery");
      await sleep(1000);
      try {
        ch.nack(msg, false, true);
      } catch {
        // channel already closed: the broker requeues unacked messages itself
      }
      return false;
    }
    ack(ch, msg);
    return true;
  }

  function ack(ch: ConfirmChannel, msg: ConsumeMessage): void {
    try {
      ch.ack(msg);
    } catch (err) {
      // Channel closed meanwhile: the message comes back and the inbox makes the repeat harmless.
      log.warn({ err: errorMessage(err), messageId: msg.properties.messageId }, "ack failed; message will be redelivered");
    }
  }

  async function pollDepths(): Promise<void> {
    const model = lastModel;
    if (!model || stopping || !broker.connected) return;
    const ch = await model.createChannel();
    ch.on("error", () => {});
    try {
      for (const queue of [queues.events, ...queues.retry, queues.error]) {
        depths.set(queue, (await ch.checkQueue(queue)).messageCount);
      }
    } finally {
      await ch.close().catch(() => {});
    }
  }

  const registration = broker.onConnected(setup);
  await registration.ready;
  const depthIntervalMs = options.queueDepthIntervalMs ?? 15_000;
  const unobserveDepth = depthIntervalMs > 0 ? observeQueueDepth(() => depths) : () => {};
  const depthTimer =
    depthIntervalMs > 0
      ? setInterval(() => {
          pollDepths().catch((err: unknown) => log.debug({ err: errorMessage(err) }, "queue depth poll failed"));
        }, depthIntervalMs)
      : undefined;
  depthTimer?.unref?.();
  if (depthIntervalMs > 0) pollDepths().catch(() => {});

  return {
    queues,
    get consuming() {
      return channel !== null && !stopping;
    },
    healthCheck: {
      name: `consumer:${service}`,
      async check() {
        if (stopping) throw new Error(`consumer ${service} stopped`);
        if (!channel) throw new Error(`consumer ${service} is not subscribed to ${queues.events} (reconnecting)`);
      },
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      registration.dispose();
      clearInterval(depthTimer);
      unobserveDepth();
      const ch = channel;
      if (ch && consumerTag) await ch.cancel(consumerTag).catch(() => {});
      await Promise.allSettled([...inFlight]);
      if (ch) await ch.close().catch(() => {});
      channel = null;
      log.info({ queue: queues.events }, "consumer stopped");
    },
  };
}

function truncate(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`handler timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
