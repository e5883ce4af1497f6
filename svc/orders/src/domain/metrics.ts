import { getMeter } from "@meridian/kit";
import type { OrderStatus } from "./order";

/** Business metrics (docs/conventions.md): orders placed, status changes, time from placing to confirm/reject. */
export interface OrderMetrics {
  placed(): void;
  statusChanged(status: OrderStatus): void;
  settled(outcome: "confirmed" | "rejected", seconds: number): void;
}

/** Call after the telemetry SDK is initialised (createHttpApp does it): earlier meters are no-ops. */
export function createOrderMetrics(): OrderMetrics {
  const meter = getMeter();
  const placed = meter.createCounter("orders_placed_total", { description: "Orders placed" });
  const changes = meter.createCounter("orders_status_changes_total", { description: "Order status changes" });
  const confirmation = meter.createHistogram("orders_confirmation_seconds", {
    description: "Time from placing an order to its confirmation or rejection",
    unit: "s",
    advice: { explicitBucketBoundaries: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] },
  });
  return {
    placed: () => placed.add(1, { status: "pending" }),
    statusChanged: (status) => changes.add(1, { status }),
    settled: (outcome, seconds) => confirmation.record(seconds, { outcome }),
  };
}
