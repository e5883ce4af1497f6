/** The consumer's public types: options, the handler's context and outcome, the running consumer. */
import type { Span } from "@opentelemetry/api";
import type { Envelope, EventType } from "../../contracts";
import type { Logger } from "../../logging";
import type { Broker } from "../broker";

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
