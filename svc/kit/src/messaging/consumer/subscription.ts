/**
 * The consumer's subscription on the broker connection: declared and consuming on every connect, re-subscribed on
 * the same connection (1 s, 2 s, 4 s … at most 10 s apart) when RabbitMQ closes the channel or cancels the
 * subscription, and reporting whether it consumes (readiness). Stopping cancels, waits for the deliveries in
 * flight and closes the channel.
 */
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from "amqplib";
import type { Logger } from "../../logging";
import { type Broker, errorMessage } from "../broker";
import { declareConsumerTopology, type ConsumerQueues } from "./topology";

export interface SubscriptionSettings {
  broker: Broker;
  queues: ConsumerQueues;
  types: ReadonlySet<string>;
  prefetch: number;
  deliveryLimit: number;
  log: Logger;
  /** Handles one message; its promise is awaited by `stop()`. */
  onMessage: (ch: ConfirmChannel, msg: ConsumeMessage) => Promise<void>;
}

export class Subscription {
  private stopping = false;
  private channel: ConfirmChannel | null = null;
  private consumerTag: string | null = null;
  /** The connection of the last subscribe (re-subscribing happens on it only while it is current). */
  model: ChannelModel | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly settings: SubscriptionSettings) {}

  get consuming(): boolean {
    return this.channel !== null && !this.stopping;
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Declares the topology and consumes on a new channel of `model` (broker.onConnected calls it on every connect). */
  async subscribe(model: ChannelModel): Promise<void> {
    if (this.stopping) return;
    this.model = model;
    const { broker, queues, types, prefetch, log } = this.settings;
    const ch = await model.createConfirmChannel();
    ch.on("error", (err: Error) => log.warn({ err: err.message }, "consumer channel error"));
    ch.on("close", () => this.onChannelClosed(ch, model));
    try {
      await declareConsumerTopology(ch, { exchange: broker.exchange, queues, types, deliveryLimit: this.settings.deliveryLimit });
      await ch.prefetch(prefetch);
      if (this.stopping) {
        await ch.close().catch(() => {});
        return;
      }
      const reply = await ch.consume(queues.events, (msg) => this.receive(ch, msg), { noAck: false });
      this.channel = ch;
      this.consumerTag = reply.consumerTag;
      log.info({ queue: queues.events, prefetch, types: [...types] }, "consuming");
    } catch (err) {
      await ch.close().catch(() => {});
      throw err;
    }
  }

  private onChannelClosed(ch: ConfirmChannel, model: ChannelModel): void {
    const wasConsuming = this.channel === ch;
    if (wasConsuming) {
      this.channel = null;
      this.consumerTag = null;
    }
    // Only a consuming channel is replaced here; a failed subscribe is reported (or retried) by its caller.
    if (!this.stopping && wasConsuming) this.resubscribe(model);
  }

  /** Re-subscribes on the same connection until it works; readiness is down meanwhile. */
  private resubscribe(model: ChannelModel, delayMs = 1000): void {
    const timer = setTimeout(() => {
      if (this.stopping || this.channel || this.model !== model || !this.settings.broker.connected) return;
      this.subscribe(model).catch((err: unknown) => {
        const next = Math.min(10_000, delayMs * 2);
        this.settings.log.error({ err: errorMessage(err), retryInMs: next }, "consumer re-subscribe failed; retrying");
        this.resubscribe(model, next);
      });
    }, delayMs);
    timer.unref?.();
  }

  private receive(ch: ConfirmChannel, msg: ConsumeMessage | null): void {
    const { log, queues } = this.settings;
    if (!msg) {
      // RabbitMQ cancelled the subscription (queue deleted, or its leader lost): not consuming any more, so
      // readiness turns down, and the channel is replaced by a new subscription that declares the queue again.
      log.warn({ queue: queues.events }, "consumer cancelled by RabbitMQ; re-subscribing");
      if (this.channel === ch) ch.close().catch(() => {});
      return;
    }
    const work = this.settings
      .onMessage(ch, msg)
      .catch((err: unknown) => log.error({ err: errorMessage(err) }, "message processing failed unexpectedly"));
    this.inFlight.add(work);
    work.finally(() => this.inFlight.delete(work));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const ch = this.channel;
    if (ch && this.consumerTag) await ch.cancel(this.consumerTag).catch(() => {});
    await Promise.allSettled([...this.inFlight]);
    if (ch) await ch.close().catch(() => {});
    this.channel = null;
  }
}

/** Reads the depth of each of the consumer's queues on a short-lived channel. */
export async function readQueueDepths(model: ChannelModel, queues: ConsumerQueues, into: Map<string, number>): Promise<void> {
  const ch = await model.createChannel();
  ch.on("error", () => {});
  try {
    for (const queue of [queues.events, ...queues.retry, queues.error]) into.set(queue, (await ch.checkQueue(queue)).messageCount);
  } finally {
    await ch.close().catch(() => {});
  }
}
