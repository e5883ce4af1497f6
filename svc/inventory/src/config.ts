import { t } from "elysia";
import { baseConfig, loadConfig, type LoadConfigOptions } from "@meridian/kit";

export const InventoryConfigSchema = t.Object({
  ...baseConfig({ port: 5102 }),
  DATABASE_URL: t.String({ minLength: 1, default: "postgres://postgres@127.0.0.1:5432/meridian_inventory" }),
  RABBITMQ_URL: t.String({ minLength: 1, default: "amqp://guest:guest@127.0.0.1:5672" }),
  /** Topic exchange for events (tests use a unique one). */
  RABBITMQ_EXCHANGE: t.String({ minLength: 1, default: "meridian.events" }),
  OIDC_ISSUER: t.String({ minLength: 1, default: "http://localhost:8081/realms/meridian" }),
  OIDC_JWKS_URL: t.Optional(t.String({ minLength: 1 })),
  OIDC_AUDIENCE: t.String({ minLength: 1, default: "meridian-api" }),
  DATABASE_POOL_MAX: t.Integer({ minimum: 1, maximum: 100, default: 10 }),
});

export type InventoryConfig = typeof InventoryConfigSchema.static;

export function loadInventoryConfig(options?: LoadConfigOptions): InventoryConfig {
  return loadConfig(InventoryConfigSchema, options);
}
