/**
 * OpenTelemetry for Bun processes. Bun.serve is invisible to Node auto-instrumentation, so HTTP spans
 * come from the app factory (one span per request, in http.ts) and AMQP spans from the messaging module; this file
 * registers the SDK they report to: W3C trace context, AsyncLocalStorage context, an OTLP exporter when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, and metrics readable both as Prometheus text and over OTLP.
 */
import { context, metrics, propagation, trace, type Meter, type Tracer } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from "@opentelemetry/sdk-trace";

export interface TelemetryOptions {
  serviceName: string;
  version: string;
  otlpEndpoint?: string;
  environment?: string;
  /** Extra span processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  readonly serviceName: string;
  tracer: Tracer;
  meter: Meter;
  /** Current metrics in the Prometheus text exposition format. */
  metricsText(): Promise<string>;
  shutdown(): Promise<void>;
}

let current: Telemetry | undefined;

/** Registers the global providers once per process; later calls return the first registration. */
export function initTelemetry(options: TelemetryOptions): Telemetry {
  if (current) return current;
  const resource = resourceFromAttributes({
    "service.name": options.serviceName,
    "service.version": options.version,
    "deployment.environment.name": options.environment ?? process.env.MERIDIAN_ENV ?? "local",
    // Surfaced as a `service` label on every Prometheus series (dashboards group by it).
    service: options.serviceName,
  });
  // The standard OpenTelemetry variable applies even when a caller passes nothing.
  const otlp = (options.otlpEndpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT)?.replace(/\/$/, "") || undefined;

  const spanProcessors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (otlp) spanProcessors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${otlp}/v1/traces` }) }));
  const tracerProvider = new TracerProvider({ resource, spanProcessors });

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);

  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const readers: MetricReader[] = [prometheus];
  if (otlp) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${otlp}/v1/metrics` }),
        exportIntervalMillis: 15_000,
      }),
    );
  }
  const meterProvider = new MeterProvider({ resource, readers });
  metrics.setGlobalMeterProvider(meterProvider);
  const serializer = new PrometheusSerializer(undefined, false, /^service$/, false, true);

  const meter = meterProvider.getMeter("meridian", options.version);
  registerRuntimeMetrics(meter);

  current = {
    serviceName: options.serviceName,
    tracer: trace.getTracer("meridian", options.version),
    meter,
    async metricsText() {
      const { resourceMetrics } = await prometheus.collect();
      return serializer.serialize(resourceMetrics);
    },
    async shutdown() {
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
  return current;
}

/** The meter of the process's telemetry (register it first: startService or createHttpApp do). */
export function getMeter(): Meter {
  return metrics.getMeter("meridian");
}

/** Process metrics with the names Prometheus' client libraries use, so stock dashboards work. */
function registerRuntimeMetrics(meter: Meter): void {
  const startSeconds = Math.round((Date.now() - performance.now()) / 1000);
  meter
    .createObservableGauge("process_resident_memory_bytes", { description: "Resident set size" })
    .addCallback((r) => r.observe(process.memoryUsage().rss));
  meter
    .createObservableGauge("nodejs_heap_used_bytes", { description: "JavaScript heap in use" })
    .addCallback((r) => r.observe(process.memoryUsage().heapUsed));
  meter.createObservableCounter("process_cpu_seconds", { description: "User and system CPU time" }).addCallback((r) => {
    const { user, system } = process.cpuUsage();
    r.observe((user + system) / 1e6);
  });
  meter
    .createObservableGauge("process_start_time_seconds", { description: "Start time, Unix seconds" })
    .addCallback((r) => r.observe(startSeconds));
}
