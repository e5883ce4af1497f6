/**
 * The management endpoints of every process: /health/live, /health/ready (every declared dependency, consumers
 * and relays included) and /metrics (Prometheus text). With MANAGEMENT_PORT set they are served on that port
 * only, apart from the public API (probes, scrapes and network policies reach them there; the edge never does).
 */
import { Elysia } from "elysia";
import { runChecks, type HealthCheck } from "./health";
import type { Telemetry } from "./telemetry";

export const MANAGEMENT_PATHS = new Set(["/health/live", "/health/ready", "/metrics"]);

export interface ManagementOptions {
  service: string;
  telemetry: Telemetry;
  /** Read at each readiness probe, so checks added after start (a consumer) are seen. */
  checks: HealthCheck[];
  /** Readiness check timeout per dependency. */
  checkTimeoutMs?: number;
}

/** The last readiness result per dependency, reported as the `health_dependency_up` gauge (registered once). */
const lastReadiness = new Map<string, number>();
let readinessGaugeRegistered = false;

function registerReadinessGauge(telemetry: Telemetry): void {
  if (readinessGaugeRegistered) return;
  readinessGaugeRegistered = true;
  telemetry.meter
    .createObservableGauge("health_dependency_up", { description: "1 when the dependency answered the last readiness check" })
    .addCallback((r) => {
      for (const [dependency, up] of lastReadiness) r.observe(up, { dependency });
    });
}

/** The three management routes as an Elysia plugin (mounted on the public app or on the management server). */
export function managementRoutes(options: ManagementOptions) {
  registerReadinessGauge(options.telemetry);
  return new Elysia({ name: `meridian:${options.service}:management` })
    .get("/health/live", () => ({ status: "up" as const }), { detail: { hide: true } })
    .get(
      "/health/ready",
      async ({ set }) => {
        const report = await runChecks(options.checks, options.checkTimeoutMs);
        for (const c of report.checks) lastReadiness.set(c.name, c.status === "up" ? 1 : 0);
        if (report.status === "down") set.status = 503;
        return report;
      },
      { detail: { hide: true } },
    )
    .get(
      "/metrics",
      async () =>
        new Response(await options.telemetry.metricsText(), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        }),
      { detail: { hide: true } },
    );
}
