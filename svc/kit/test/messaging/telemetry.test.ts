/**
 * Traces and metrics of the messaging module. The OpenTelemetry globals are process-wide and other test
 * files may have registered the kit's telemetry already, so this file swaps in its own in-memory
 * providers for its duration and puts the previous ones back afterwards.
 */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { randomUUID } from "node:crypto";
import {
  type MeterProvider as ApiMeterProvider,
  type ProxyTracerProvider,
  type TracerProvider as ApiTracerProvider,
  SpanKind,
  context,
  metrics,
  propagation,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import {
  type Broker,
  type Consumer,
  type OutboxRelay,
  connectBroker,
  pgOutbox,
  queueNames,
  startConsumer,
  startOutboxRelay,
} from "../../src/messaging";
import { RABBITMQ_URL, createTestDb, removeTopology, testLogger, uniqueName, waitFor } from "./support";

// Real broker and database round trips, with reconnects: more than bun's 5 s default.
setDefaultTimeout(30_000);

const exchange = uniqueName("test.telemetry");
const service = uniqueName("telemetry-test");
const retryDelays = [20];
const logger = testLogger();
const spans = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
const resource = resourceFromAttributes({ "service.name": service, service });
const prometheus = new PrometheusExporter({ preventServerStart: true });
const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
let database: Awaited<ReturnType<typeof createTestDb>>;
let broker: Broker;
let consumer: Consumer;
let relay: OutboxRelay;
const handled = new Map<string, { traceId: string; attempt: number }>();
const failing = new Set<string>();

async function metricsText(): Promise<string> {
  const { resourceMetrics } = await prometheus.collect();
  return new PrometheusSerializer(undefined, false, /^service$/, false, true).serialize(resourceMetrics);
}

/** What the process had registered before this file (the kit's telemetry, if another file initialised it). */
const previous: { tracer?: ApiTracerProvider; meter?: ApiMeterProvider; context: boolean; propagation: boolean } = {
  context: false,
  propagation: false,
};

function registeredGlobals(): Record<string, unknown> {
  return ((globalThis as Record<symbol, unknown>)[Symbol.for("opentelemetry.js.api.1")] ?? {}) as Record<string, unknown>;
}

beforeAll(async () => {
  const globals = registeredGlobals();
  if (globals.trace) previous.tracer = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate();
  if (globals.metrics) previous.meter = metrics.getMeterProvider();
  previous.context = Boolean(globals.context);
  previous.propagation = Boolean(globals.propagation);
  trace.disable();
  metrics.disable();
  context.disable();
  propagation.disable();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);

  database = await createTestDb("kit_telemetry");
  broker = await connectBroker({ url: RABBITMQ_URL, service, logger, exchange });
  consumer = await startConsumer({
    broker,
    service,
    types: ["orders.order-confirmed.v1"],
    retry: { delaysMs: retryDelays },
    queueDepthIntervalMs: 100,
    handle: async (envelope, ctx) => {
      if (failing.has(envelope.body.orderId)) throw new Error("always failing");
      handled.set(envelope.body.orderId, { traceId: trace.getActiveSpan()?.spanContext().traceId ?? "", attempt: ctx.attempt });
    },
  });
  relay = startOutboxRelay({ db: database.db, broker, logger, source: service, pollIntervalMs: 100 });
});

afterAll(async () => {
  await relay?.stop();
  await consumer?.stop();
  await broker?.close();
  await removeTopology([service], exchange, retryDelays.length);
  await database?.drop();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  trace.disable();
  metrics.disable();
  context.disable();
  propagation.disable();
  // Put back only what the process had, so a later initTelemetry() can still register.
  if (previous.context) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (previous.propagation) propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  if (previous.tracer) trace.setGlobalTracerProvider(previous.tracer);
  if (previous.meter) metrics.setGlobalMeterProvider(previous.meter);
});

describe("messaging telemetry", () => {
  test("when an event is published inside a span, then the consumer's span continues the producer's trace", async () => {
    const orderId = randomUUID();
    const tracer = trace.getTracer("test");
    const requestTraceId = await tracer.startActiveSpan("POST /api/orders", async (request) => {
      await broker.publish("orders.order-confirmed.v1", { orderId, customerId: "alice" });
      request.end();
      return request.spanContext().traceId;
    });
    const seen = await waitFor(() => handled.get(orderId), { what: "handled message" });
    expect(seen.traceId).toBe(requestTraceId);

    const finished = await waitFor(
      () => {
        const all = spans.getFinishedSpans().filter((s) => s.spanContext().traceId === requestTraceId);
        return all.some((s) => s.kind === SpanKind.CONSUMER) ? all : undefined;
      },
      { what: "consumer span" },
    );
    const publish = finished.find((s) => s.kind === SpanKind.PRODUCER);
    const process = finished.find((s) => s.kind === SpanKind.CONSUMER);
    expect(publish?.name).toBe("orders.order-confirmed.v1 publish");
    expect(process?.name).toBe("orders.order-confirmed.v1 process");
    expect(process?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId);
    expect(process?.attributes["messaging.message.id"]).toBe(publish?.attributes["messaging.message.id"]);
  });

  test("when an event goes through the outbox inside a request span, then the consumer's span has the request's trace id", async () => {
    const orderId = randomUUID();
    const tracer = trace.getTracer("test");
    const requestTraceId = await tracer.startActiveSpan("POST /api/orders/{id}/confirm", async (request) => {
      await database.db.transaction(async (tx) => {
        await pgOutbox.enqueue(tx, { type: "orders.order-confirmed.v1", body: { orderId, customerId: "bob" }, aggregateId: orderId });
      });
      request.end();
      return request.spanContext().traceId;
    });
    const seen = await waitFor(() => handled.get(orderId), { what: "handled outbox message" });
    expect(seen.traceId).toBe(requestTraceId);
  });

  test("when messages are published, consumed, retried and dead-lettered, then the conventions' metrics report them", async () => {
    const goodId = randomUUID();
    await broker.publish("orders.order-confirmed.v1", { orderId: goodId, customerId: "carol" });
    await waitFor(() => handled.get(goodId), { what: "good message handled" });
    const poisonId = randomUUID();
    failing.add(poisonId);
    await broker.publish("orders.order-confirmed.v1", { orderId: poisonId, customerId: "carol" });
    const text = await waitFor(
      async () => {
        const current = await metricsText();
        return current.includes("messaging_dead_lettered_total") ? current : undefined;
      },
      { timeoutMs: 15_000, what: "dead-letter metric" },
    );
    const line = (name: string) => text.split("\n").find((l) => l.startsWith(name)) ?? "";
    expect(line("messaging_published_total")).toContain('outcome="ok"');
    expect(line("messaging_published_total")).toContain(`service="${service}"`);
    expect(text).toMatch(/messaging_consumed_total\{[^}]*outcome="ack"[^}]*\} [1-9]/);
    expect(text).toMatch(/messaging_consumed_total\{[^}]*outcome="retry"[^}]*\} 1/);
    expect(text).toMatch(/messaging_consumed_total\{[^}]*outcome="dead_letter"[^}]*\} 1/);
    expect(line("messaging_retried_total")).toContain('messaging_destination="orders.order-confirmed.v1"');
    expect(line("messaging_dead_lettered_total")).toContain('reason="handler_failed"');
    expect(text).toContain("messaging_handler_duration_seconds_bucket");
    expect(text).toMatch(/messaging_outbox_backlog\{[^}]*\} 0/);
    const { events, error } = queueNames(service, retryDelays.length);
    const depthOf = (metrics: string, queue: string) =>
      metrics
        .split("\n")
        .find((l) => l.startsWith(`messaging_queue_depth{queue="${queue}"`))
        ?.split(" ")
        .pop();
    const depths = await waitFor(
      async () => {
        const current = await metricsText();
        return depthOf(current, error) === "1" ? current : undefined;
      },
      { what: "error queue depth 1" },
    );
    expect(depthOf(depths, events)).toBe("0");
    // One `service` label per series (resource), never a duplicate from the module's own attributes.
    for (const l of text.split("\n").filter((l) => l.startsWith("messaging_"))) {
      expect(l.match(/service=/g)?.length ?? 0).toBe(1);
    }
  });
});
