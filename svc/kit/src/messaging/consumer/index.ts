/**
 * A service's consumer: declares its topology (idempotently, on every connect), consumes with a bounded prefetch,
 * acks only after the handler resolved (i.e. its transaction committed), retries transient failures in place,
 * then through per-attempt delay queues, and finally moves the message to `<service>.error` with the reason in
 * headers. Every delivery ends in an ack, so a poison message never blocks the queue. The parts: `topology`
 * (queues), `subscription` (channel, re-subscribing, readiness), `delivery` (one message), `ordering` (per-key
 * order), `redelivery` (retry and error queues).
 */
import type { EventType } from "../../contracts";
import { isTransientDatabaseError } from "../../postgres";
import { errorMessage } from "../broker";
import { observeQueueDepth } from "../telemetry";
import { deliver, type DeliverySettings } from "./delivery";
import { OrderingKeys } from "./ordering";
import { Redelivery } from "./redelivery";
import { readQueueDepths, Subscription } from "./subscription";
import { queueNames } from "./topology";
import type { Consumer, ConsumerOptions } from "./types";

export { queueNames, type ConsumerQueues } from "./topology";
export { headers, republishedProperties } from "./redelivery";
export { OrderingKeys } from "./ordering";
export type { Consumer, ConsumerOptions, EnvelopeOf, HandleOutcome, HandlerContext } from "./types";

export async function startConsumer<T extends EventType>(options: ConsumerOptions<T>): Promise<Consumer> {
  const { broker, service } = options;
  const delays = [...(options.retry?.delaysMs ?? [1000, 5000, 30000])];
  const queues = queueNames(service, delays.length);
  const types = new Set<string>(options.types);
  const log = (options.logger ?? broker.logger).child({ component: "consumer", consumer: service });
  const settings: DeliverySettings<T> = {
    service,
    queues,
    types,
    handle: options.handle,
    ...(options.orderingKey ? { orderingKey: options.orderingKey } : {}),
    handlerTimeoutMs: options.handlerTimeoutMs ?? 15_000,
    inPlace: {
      attempts: options.transientRetry?.attempts ?? 3,
      initialDelayMs: options.transientRetry?.initialDelayMs ?? 200,
      isTransient: options.transientRetry?.isTransient ?? isTransientDatabaseError,
    },
    log,
    ordering: new OrderingKeys(),
    redelivery: new Redelivery(broker, service, queues, delays, log),
  };
  const subscription = new Subscription({
    broker,
    queues,
    types,
    prefetch: options.prefetch ?? 16,
    deliveryLimit: options.deliveryLimit ?? 20,
    log,
    onMessage: (ch, msg) => deliver(settings, ch, msg),
  });
  const registration = broker.onConnected((model) => subscription.subscribe(model));
  await registration.ready;
  const depthPolling = pollDepths(subscription, options.queueDepthIntervalMs ?? 15_000);

  return {
    queues,
    get consuming() {
      return subscription.consuming;
    },
    healthCheck: {
      name: `consumer:${service}`,
      async check() {
        if (subscription.stopped) throw new Error(`consumer ${service} stopped`);
        if (!subscription.consuming) throw new Error(`consumer ${service} is not subscribed to ${queues.events} (reconnecting)`);
      },
    },
    async stop() {
      if (subscription.stopped) return;
      registration.dispose();
      depthPolling.stop();
      await subscription.stop();
      log.info({ queue: queues.events }, "consumer stopped");
    },
  };

  /** Reads the queue depths (`messaging_queue_depth`) every `intervalMs` (0 = never). */
  function pollDepths(sub: Subscription, intervalMs: number): { stop(): void } {
    if (intervalMs <= 0) return { stop() {} };
    const depths = new Map<string, number>();
    const unobserve = observeQueueDepth(() => depths);
    const poll = () => {
      const model = sub.model;
      if (!model || sub.stopped || !broker.connected) return;
      readQueueDepths(model, queues, depths).catch((err: unknown) => log.debug({ err: errorMessage(err) }, "queue depth poll failed"));
    };
    const timer = setInterval(poll, intervalMs);
    timer.unref?.();
    poll();
    return {
      stop() {
        clearInterval(timer);
        unobserve();
      },
    };
  }
}
