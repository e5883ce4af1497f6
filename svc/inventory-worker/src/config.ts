import { t } from "elysia";
import { baseConfig, loadConfig, messagingConfig, type LoadConfigOptions } from "@meridian/kit";

export const WorkerConfigSchema = t.Object({
  ...baseConfig({ port: 5105 }),
  /** Required: a production start fails naming it (scripts/up.sh passes the local development URL). */
  DATABASE_URL: t.String({ minLength: 1 }),
  ...messagingConfig(),
  /** Messages handled concurrently; each holds a database connection while it runs. */
  WORKER_PREFETCH: t.Integer({ minimum: 1, maximum: 256, default: 16 }),
  DATABASE_POOL_MAX: t.Integer({ minimum: 1, maximum: 100, default: 10 }),
});

export type WorkerConfig = typeof WorkerConfigSchema.static;

export function loadWorkerConfig(options?: LoadConfigOptions): WorkerConfig {
  return loadConfig(WorkerConfigSchema, options);
}
