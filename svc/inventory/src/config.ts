import { t } from "elysia";
import { baseConfig, loadConfig, messagingConfig, oidcConfig, type LoadConfigOptions } from "@meridian/kit";

export const InventoryConfigSchema = t.Object({
  ...baseConfig({ port: 5102 }),
  /** Required: a production start fails naming it (scripts/up.sh passes the local development URL). */
  DATABASE_URL: t.String({ minLength: 1 }),
  ...messagingConfig(),
  ...oidcConfig(),
  DATABASE_POOL_MAX: t.Integer({ minimum: 1, maximum: 100, default: 10 }),
  /** Seed the demo catalogue (src/seed) at start; for demo environments (the chart's `seedDemoCatalogue`). */
  SEED_DEMO_CATALOGUE: t.Boolean({ default: false }),
});

export type InventoryConfig = typeof InventoryConfigSchema.static;

export function loadInventoryConfig(options?: LoadConfigOptions): InventoryConfig {
  return loadConfig(InventoryConfigSchema, options);
}
