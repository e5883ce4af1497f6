import { t } from "elysia";
import { baseConfig, loadConfig, type LoadConfigOptions } from "@meridian/kit";

export const WorkerConfigSchema = t.Object({
  ...baseConfig({ port: 5105 }),
  DATABASE_URL: t.String({ minLength: 1, default: "postgres://postgres@127.0.0.1:5432/meridian_inventory" }),
  RABBITMQ_URL: t.String({ minLength: 1, default: "amqp://guest:guest@127.0.0.1:5672" }),
  /** Topic exchange for events (tests use a unique one). */
  RABBITMQ_EXCHANGE: t.String({ minLength: 1, default: "meridian.events" }),
  /** Prefix of this service's queue names (tests use a unique one; empty in deployments). */
  RABBITMQ_QUEUE_PREFIX: t.String({ default: "" }),
  /** Messages handled concurrently; each holds a database connection while it runs. */
  WORKER_PREFETCH: t.Integer({ minimum: 1, maximum: 256, default: 16 }),
  DATABASE_POOL_MAX: t.Integer({ minimum: 1, maximum: 100, default: 10 }),
});

export type WorkerConfig = typeof WorkerConfigSchema.static;

export function loadWorkerConfig(options?: LoadConfigOptions): WorkerConfig {
  return loadConfig(WorkerConfigSchema, options);
}
