/**
 * Renders the dashboards to JSON in k8s/observability/grafana/dashboards, which compose mounts into
 * Grafana and the Helm chart ships as ConfigMaps (its files/dashboards is a symlink to it). Run after
 * editing a dashboard:
 *   bun k8s/observability/dashboards/build.ts
 * k8s/test/observability-dashboards.test.ts fails when the committed JSON differs from this output.
 */
import { join } from "node:path";
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { gateway } from "./gateway";
import { messaging } from "./messaging";
import { orderFlow } from "./order-flow";
import { platformOverview } from "./platform-overview";

export const DASHBOARD_DIR = join(import.meta.dir, "../grafana/dashboards");

/** File name → dashboard model. */
export function dashboards(): Record<string, Dashboard> {
  return {
    "meridian-overview.json": platformOverview().build(),
    "meridian-order-flow.json": orderFlow().build(),
    "meridian-messaging.json": messaging().build(),
    "meridian-gateway.json": gateway().build(),
  };
}

/** Panel ids must be unique for Grafana; the builder leaves them unset, so number them in order. */
export function render(model: Dashboard): string {
  let id = 1;
  for (const panel of model.panels ?? []) (panel as { id?: number }).id = id++;
  return `${JSON.stringify(model, null, 2)}\n`;
}

if (import.meta.main) {
  for (const [file, model] of Object.entries(dashboards())) {
    await Bun.write(join(DASHBOARD_DIR, file), render(model));
    console.log(`wrote ${join(DASHBOARD_DIR, file)}`);
  }
}
