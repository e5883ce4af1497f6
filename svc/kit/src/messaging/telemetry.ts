/**
 * Spans and metrics of the messaging module, through @opentelemetry/api's globals (the kit's telemetry
 * registers the SDK). Tracer and meter are looked up on use, not at import, so a provider registered
 * after this module loaded (tests, late init) still receives everything.
 * Metric names are the Prometheus names of docs/conventions.md.
 */
import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type ObservableGauge,
  type Tracer,
  metrics,
  trace,
} from "@opentelemetry/api";

const SCOPE = "@meridian/kit/messaging";

export function tracer(): Tracer {
  return trace.getTracer(SCOPE);
}

interface Instruments {
  published: Counter;
  consumed: Counter;
  retried: Counter;
  deadLettered: Counter;
  handlerDuration: Histogram;
  outboxBacklog: ObservableGauge;
  queueDepth: ObservableGauge;
}

let cachedMeter: Meter | undefined;
let cached: Instruments | undefined;

/** Instruments of the current global meter provider (re-created if the provider changed). */
export function instruments(): Instruments {
  const meter = metrics.getMeter(SCOPE);
  if (cached && cachedMeter === meter) return cached;
  cachedMeter = meter;
  cached = {
    published: meter.createCounter("messaging_published_total", { description: "Messages published (outcome ok/error)" }),
    consumed: meter.createCounter("messaging_consumed_total", {
      description: "Messages consumed (outcome ack/retry/dead_letter/duplicate)",
    }),
    retried: meter.createCounter("messaging_retried_total", { description: "Messages sent to a retry queue" }),
    deadLettered: meter.createCounter("messaging_dead_lettered_total", {
      description: "Messages moved to the error queue",
    }),
    handlerDuration: meter.createHistogram("messaging_handler_duration_seconds", {
      description: "Time spent in message handlers",
      unit: "s",
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
    }),
    outboxBacklog: meter.createObservableGauge("messaging_outbox_backlog", {
      description: "Outbox rows not yet published",
    }),
    queueDepth: meter.createObservableGauge("messaging_queue_depth", {
      description: "Ready messages in a consumer's queues (events, retry, error)",
    }),
  };
  for (const observe of backlogObservers) cached.outboxBacklog.addCallback(observe);
  for (const observe of depthObservers) cached.queueDepth.addCallback(observe);
  return cached;
}

type BacklogObserver = Parameters<ObservableGauge["addCallback"]>[0];
const backlogObservers = new Set<BacklogObserver>();
const depthObservers = new Set<BacklogObserver>();

/** Registers a consumer's queue depths (last polled values); returns the function that unregisters it. */
export function observeQueueDepth(read: () => ReadonlyMap<string, number>): () => void {
  const observer: BacklogObserver = (result) => {
    for (const [queue, depth] of read()) result.observe(depth, { queue });
  };
  depthObservers.add(observer);
  instruments().queueDepth.addCallback(observer);
  return () => {
    depthObservers.delete(observer);
    cached?.queueDepth.removeCallback(observer);
  };
}

/** Registers the outbox backlog (one relay per process); returns the function that unregisters it. */
export function observeOutboxBacklog(read: () => number): () => void {
  const observer: BacklogObserver = (result) => result.observe(read());
  backlogObservers.add(observer);
  instruments().outboxBacklog.addCallback(observer);
  return () => {
    backlogObservers.delete(observer);
    cached?.outboxBacklog.removeCallback(observer);
  };
}

/**
 * Metric attributes. No `service` attribute: the kit's telemetry adds `service` to every series from
 * the resource, and a second one would make the Prometheus text invalid.
 */
export function attrs(destination: string, extra: Attributes = {}): Attributes {
  return { messaging_destination: destination, ...extra };
}
